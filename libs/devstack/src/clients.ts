// Clients that act as Twilio and as a merchant's dashboard, strictly through the public API.
import { sessionToken, shopifyHmac, twilioSignature } from './signing.js';
import type { Stack } from './stack.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted on by the tests that read them
export type JsonBody = any;

let sidCounter = 0;
/** A fresh Twilio-shaped MessageSid ("SM" + 32 hex digits). */
export function newMessageSid(): string {
  sidCounter += 1;
  const hex = `${Date.now().toString(16)}${process.pid.toString(16)}${sidCounter.toString(16).padStart(8, '0')}`;
  return `SM${hex.padStart(32, '0').slice(-32)}`;
}

export interface InboundSms {
  from: string;
  to: string;
  body: string;
  sid?: string;
  media?: Array<{ url: string; contentType: string }>;
}

/** Acts as Twilio: posts signed inbound-message webhooks. */
export class TwilioWebhookSender {
  constructor(
    private readonly stack: Pick<Stack, 'ingestionUrl' | 'env'>,
    private readonly authToken = stack.env.TWILIO_AUTH_TOKEN!,
  ) {}

  params(sms: InboundSms): Record<string, string> {
    const params: Record<string, string> = {
      MessageSid: sms.sid ?? newMessageSid(),
      AccountSid: this.stack.env.TWILIO_ACCOUNT_SID!,
      From: sms.from,
      To: sms.to,
      Body: sms.body,
      NumMedia: String(sms.media?.length ?? 0),
    };
    sms.media?.forEach((m, i) => {
      params[`MediaUrl${i}`] = m.url;
      params[`MediaContentType${i}`] = m.contentType;
    });
    return params;
  }

  /** Posts the webhook; `signature` overrides the correct one (null: no header). */
  async send(sms: InboundSms, options: { signature?: string | null } = {}): Promise<Response> {
    const params = this.params(sms);
    const path = '/webhooks/twilio/messages';
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const signature =
      options.signature === undefined
        ? twilioSignature(this.authToken, `${this.stack.env.PUBLIC_BASE_URL}${path}`, params)
        : options.signature;
    if (signature !== null) headers['x-twilio-signature'] = signature;
    return fetch(`${this.stack.ingestionUrl}${path}`, {
      method: 'POST',
      headers,
      body: new URLSearchParams(params),
    });
  }

  /** Posts a signed status callback for a message we sent (as Twilio does, late or not). */
  async status(callback: { messageSid: string; status: string; errorCode?: number }): Promise<Response> {
    const path = '/webhooks/twilio/status';
    const params: Record<string, string> = {
      MessageSid: callback.messageSid,
      AccountSid: this.stack.env.TWILIO_ACCOUNT_SID!,
      MessageStatus: callback.status,
    };
    if (callback.errorCode) params.ErrorCode = String(callback.errorCode);
    return fetch(`${this.stack.ingestionUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(
          this.authToken,
          `${this.stack.env.PUBLIC_BASE_URL}${path}`,
          params,
        ),
      },
      body: new URLSearchParams(params),
    });
  }
}

/** Acts as Shopify: posts HMAC-signed webhooks. */
export class ShopifyWebhookSender {
  private counter = 0;

  constructor(private readonly stack: Pick<Stack, 'ingestionUrl' | 'env'>) {}

  async send(
    topic: string,
    shop: string,
    body: unknown,
    options: { id?: string; hmac?: string | null; contentType?: string; raw?: string } = {},
  ): Promise<Response> {
    const raw = options.raw ?? JSON.stringify(body);
    this.counter += 1;
    const headers: Record<string, string> = {
      'content-type': options.contentType ?? 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-shop-domain': shop,
      'x-shopify-api-version': '2025-01',
      'x-shopify-webhook-id': `wh-${Date.now()}-${process.pid}-${this.counter}`,
      'x-shopify-event-id': options.id ?? `ev-${Date.now()}-${process.pid}-${this.counter}`,
    };
    const hmac =
      options.hmac === undefined ? shopifyHmac(this.stack.env.SHOPIFY_API_SECRET!, raw) : options.hmac;
    if (hmac !== null) headers['x-shopify-hmac-sha256'] = hmac;
    return fetch(`${this.stack.ingestionUrl}/webhooks/shopify`, { method: 'POST', headers, body: raw });
  }
}

/** Acts as a merchant's dashboard for one shop. */
export class DashboardClient {
  private constructor(
    private readonly baseUrl: string,
    readonly token: string,
  ) {}

  static async forShop(
    stack: Pick<Stack, 'gatewayUrl' | 'env'>,
    shop: string,
    sub = '42',
  ): Promise<DashboardClient> {
    const token = await sessionToken({
      shop,
      apiKey: stack.env.SHOPIFY_API_KEY!,
      secret: stack.env.SHOPIFY_API_SECRET!,
      sub,
    });
    return new DashboardClient(stack.gatewayUrl, token);
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: JsonBody; headers: Headers }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  get(path: string) {
    return this.request('GET', path);
  }

  /** Every page of a paged list. */
  async all(path: string): Promise<JsonBody[]> {
    const items: JsonBody[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await this.get(`${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (res.status !== 200) throw new Error(`GET ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  }
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
