// The Twilio adapter: sends one message with the real `twilio` SDK and maps its answers and
// errors, nothing more. TWILIO_API_BASE_URL points the SDK at another origin (the local
// simulator, a test's fake) by rewriting the origin of each request it makes.
import twilio from 'twilio';

export interface OutboundSms {
  to: string;
  from: string;
  body: string;
  mediaUrls: string[];
  statusCallback: string;
}

export type SendResult =
  | { outcome: 'accepted'; providerSid: string; status: string }
  /** Worth retrying later: 429, 5xx, network errors. */
  | { outcome: 'retry'; httpStatus: number | null; code: number | null; message: string }
  /** Will not work as sent: 4xx with Twilio's error code (21610: the recipient unsubscribed). */
  | { outcome: 'rejected'; httpStatus: number; code: number | null; message: string };

export interface SmsProvider {
  send(sms: OutboundSms): Promise<SendResult>;
}

class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: URL) {
    super();
  }

  // biome-ignore lint/suspicious/noExplicitAny: the SDK's own generic signature
  override request<TData>(opts: any): Promise<any> {
    const uri = new URL(opts.uri as string);
    uri.protocol = this.baseUrl.protocol;
    uri.host = this.baseUrl.host;
    return super.request<TData>({ ...opts, uri: uri.toString() });
  }
}

export function twilioProvider(options: {
  accountSid: string;
  authToken: string;
  baseUrl?: string;
}): SmsProvider {
  const official = !options.baseUrl || /^https:\/\/api\.twilio\.com\/?$/.test(options.baseUrl);
  const client = twilio(options.accountSid, options.authToken, {
    httpClient: official ? undefined : new BaseUrlRequestClient(new URL(options.baseUrl!)),
    autoRetry: false,
  });
  return {
    async send(sms) {
      try {
        const message = await client.messages.create({
          to: sms.to,
          from: sms.from,
          body: sms.body,
          ...(sms.mediaUrls.length ? { mediaUrl: sms.mediaUrls } : {}),
          statusCallback: sms.statusCallback,
        });
        return { outcome: 'accepted', providerSid: message.sid, status: message.status };
      } catch (err) {
        const e = err as { status?: number; code?: number; message?: string };
        const httpStatus = typeof e.status === 'number' ? e.status : null;
        const message = e.message ?? String(err);
        if (httpStatus === null || httpStatus === 429 || httpStatus >= 500) {
          return { outcome: 'retry', httpStatus, code: e.code ?? null, message };
        }
        return { outcome: 'rejected', httpStatus, code: e.code ?? null, message };
      }
    },
  };
}
