// The one way services reach Twilio's REST API: the real `twilio` SDK, pointed at another
// origin when TWILIO_API_BASE_URL says so (the local simulator, a test's fake), with a request
// timeout so a hung call has a known upper bound. Delivery sends with it, ingestion reconciles
// inbound texts with it, the gateway fetches inbound media with it.
import twilio from 'twilio';

export type TwilioClient = ReturnType<typeof twilio>;

export interface TwilioAccount {
  accountSid: string;
  authToken: string;
  /** Origin of the REST API; Twilio's own when absent. */
  baseUrl?: string;
  /** Upper bound of one HTTP request (default 10 s). */
  timeoutMs?: number;
}

const TWILIO_API = 'https://api.twilio.com';

class TwilioRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: URL | null,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs });
  }

  // biome-ignore lint/suspicious/noExplicitAny: the SDK's own generic signature
  override request<TData>(opts: any): Promise<any> {
    if (!this.baseUrl) return super.request<TData>(opts);
    return super.request<TData>({ ...opts, uri: rebase(opts.uri as string, this.baseUrl) });
  }
}

const rebase = (uri: string, baseUrl: URL): string => {
  const url = new URL(uri);
  url.protocol = baseUrl.protocol;
  url.host = baseUrl.host;
  return url.toString();
};

const customBase = (baseUrl: string | undefined): URL | null =>
  !baseUrl || /^https:\/\/api\.twilio\.com\/?$/.test(baseUrl) ? null : new URL(baseUrl);

export function createTwilioClient(account: TwilioAccount): TwilioClient {
  return twilio(account.accountSid, account.authToken, {
    httpClient: new TwilioRequestClient(customBase(account.baseUrl), account.timeoutMs ?? 10_000),
    autoRetry: false,
  });
}

/**
 * Resolves a media URL Twilio gave us (`https://api.twilio.com/2010-04-01/Accounts/AC…/Messages/
 * MM…/Media/ME…`) to the URL to fetch, or null when it is not this account's media: the only
 * URLs fetched with the account's credentials, so a stored URL can never make us send them
 * elsewhere.
 */
export function accountMediaUrl(account: TwilioAccount, mediaUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(mediaUrl);
  } catch {
    return null;
  }
  const base = customBase(account.baseUrl);
  const allowedOrigins = new Set([TWILIO_API, ...(base ? [base.origin] : [])]);
  const prefix = `/2010-04-01/Accounts/${account.accountSid}/Messages/`;
  if (!allowedOrigins.has(url.origin) || !url.pathname.startsWith(prefix) || url.search || url.hash)
    return null;
  if (!/^\/2010-04-01\/Accounts\/AC\w+\/Messages\/\w+\/Media\/\w+$/.test(url.pathname)) return null;
  return base ? rebase(url.toString(), base) : url.toString();
}

/** Basic credentials of the account, as Twilio's media and REST URLs expect them. */
export const basicAuth = (account: TwilioAccount): string =>
  `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;

/** The public form of a media resource URI from the REST API (`…/Media/ME….json` → without `.json`). */
export const mediaUrlOf = (uri: string): string => `${TWILIO_API}${uri.replace(/\.json$/, '')}`;
