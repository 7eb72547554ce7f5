// A Twilio-compatible simulator of the Messages API, for the one-machine stack and tests: the
// real `twilio` SDK talks to it over HTTP (TWILIO_API_BASE_URL). It checks basic auth, keeps
// what was sent and received, answers like Twilio (JSON resources, error bodies with Twilio
// codes, newest-first lists filtered by To/From/DateSent), serves inbound media behind the
// account's credentials, can be told to fail or hold the next sends, moves each sent message
// on (queued → sent → delivered, or the final status it was told) and posts a signed status
// callback for each step (a share of which it can be told to lose, as the network does; the
// message's resource answers its status all the same), and plays a customer: an injected
// inbound text is kept (so the Messages API lists it) and posted to ingestion as a signed webhook.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { twilioSignature } from './signing.js';

export interface SimulatedMedia {
  sid: string;
  contentType: string;
  bytes: Buffer;
}

export interface SimulatedMessage {
  sid: string;
  accountSid: string;
  direction: 'outbound-api' | 'inbound';
  to: string;
  from: string;
  body: string;
  /** Outbound: the MediaUrl values asked for. */
  mediaUrls: string[];
  /** Inbound: the media the customer sent. */
  media: SimulatedMedia[];
  statusCallback: string | null;
  status: string;
  /** Twilio's error code of an undelivered or failed message. */
  errorCode: number | null;
  /** Set once the message is sent, as Twilio prices it. */
  price: string | null;
  dateCreated: Date;
  dateSent: Date | null;
}

/** Where a sent message ends: `sent` stays there (a carrier that never confirms). */
export type SimulatedFinal = 'sent' | 'delivered' | 'undelivered' | 'failed';

export interface SimulatedFailure {
  /** HTTP status of the answer (429, 500, 400…). */
  status: number;
  /** Twilio error code (21610: unsubscribed recipient, 21211: invalid To…). */
  code: number;
  message?: string;
}

export interface TwilioSimulatorOptions {
  accountSid: string;
  authToken: string;
  port?: number;
  /** Send status callbacks after each accepted message (default true). */
  callbacks?: boolean;
  /** Final status of sent messages (default delivered). */
  finalStatus?: SimulatedFinal;
}

/** Which sends a scripted failure or hold applies to: all, or those to this number / with this body. */
export interface SendMatch {
  to?: string;
  body?: string;
}

interface Scripted<T> {
  value: T;
  match: SendMatch;
}

/** Takes the first scripted value whose match fits the request. */
const take = <T>(script: Scripted<T>[], form: URLSearchParams): T | undefined => {
  const i = script.findIndex(
    ({ match }) =>
      (match.to === undefined || match.to === form.get('To')) &&
      (match.body === undefined || match.body === form.get('Body')),
  );
  return i < 0 ? undefined : script.splice(i, 1)[0]!.value;
};

export interface InboundText {
  from: string;
  to: string;
  body: string;
  media?: Array<{ contentType: string; bytes: Buffer }>;
}

export interface InboundWebhook {
  /** The URL Twilio signs (PUBLIC_BASE_URL + path). */
  signedUrl: string;
  /** Where to post it (ingestion's own address). */
  postUrl: string;
}

export interface TwilioSimulator {
  url: string;
  /** Outbound messages created through the API, oldest first. */
  messages: SimulatedMessage[];
  /** Inbound messages the customer sent, oldest first. */
  inbound: SimulatedMessage[];
  /** The next `count` sends (matching `match`, when given) answer `failure` instead of accepting. */
  failNext(failure: SimulatedFailure, count?: number, match?: SendMatch): void;
  /** The next `count` sends (matching) are accepted (and kept) at once but answered after `ms`. */
  holdNext(ms: number, count?: number, match?: SendMatch): void;
  /** The next `count` accepted messages (matching) end in `status` instead of the default. */
  finishNext(status: SimulatedFinal, count?: number, match?: SendMatch): void;
  /** Runs `then` right after the next matching message was accepted and answered. */
  afterNextAccept(then: (message: SimulatedMessage) => void, match?: SendMatch): void;
  /**
   * From now on each status callback of a matching message is lost with probability `share`
   * (1: all of them, 0: none); the message's status moves on all the same.
   */
  dropCallbacks(share: number, match?: SendMatch): void;
  /** Status callbacks lost so far. */
  callbacksDropped(): number;
  /** Scripted failures and holds not yet used. */
  scriptedLeft(): number;
  /** Where inbound texts are posted as signed webhooks. */
  setInboundWebhook(target: InboundWebhook): void;
  /** A customer texts the shop: kept, then posted to ingestion (unless `deliver` is false). */
  receive(
    text: InboundText,
    options?: { deliver?: boolean },
  ): Promise<{ sid: string; webhookStatus: number | null }>;
  stop(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const readForm = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
};

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
/** Twilio's public API origin: media URLs in webhooks point there, as they do in production. */
const TWILIO_API = 'https://api.twilio.com';

export async function startTwilioSimulator(options: TwilioSimulatorOptions): Promise<TwilioSimulator> {
  const messages: SimulatedMessage[] = [];
  const inbound: SimulatedMessage[] = [];
  const failures: Scripted<SimulatedFailure>[] = [];
  const holds: Scripted<number>[] = [];
  const finals: Scripted<SimulatedFinal>[] = [];
  const afterAccepts: Scripted<(message: SimulatedMessage) => void>[] = [];
  let drops: { share: number; match: SendMatch }[] = [];
  let dropped = 0;
  let webhook: InboundWebhook | null = null;
  const expectedAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const base = `/2010-04-01/Accounts/${options.accountSid}/Messages`;
  const mediaUri = (m: SimulatedMessage, media: SimulatedMedia) => `${base}/${m.sid}/Media/${media.sid}`;

  const resource = (m: SimulatedMessage) => ({
    sid: m.sid,
    account_sid: m.accountSid,
    to: m.to,
    from: m.from,
    body: m.body,
    status: m.status,
    num_media: String(m.direction === 'inbound' ? m.media.length : m.mediaUrls.length),
    num_segments: '1',
    direction: m.direction,
    date_created: m.dateCreated.toUTCString(),
    date_updated: m.dateCreated.toUTCString(),
    date_sent: (m.direction === 'inbound' ? m.dateCreated : m.dateSent)?.toUTCString() ?? null,
    error_code: m.errorCode,
    error_message: m.errorCode ? 'Unknown error' : null,
    price: m.price,
    price_unit: 'USD',
    uri: `${base}/${m.sid}.json`,
    subresource_uris: { media: `${base}/${m.sid}/Media.json` },
  });

  const signedPost = (url: string, postUrl: string, params: Record<string, string>) =>
    fetch(postUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(options.authToken, url, params),
      },
      body: new URLSearchParams(params),
    });

  const matches = (match: SendMatch, m: SimulatedMessage) =>
    (match.to === undefined || match.to === m.to) && (match.body === undefined || match.body === m.body);

  /** The message moves to `status`; its callback is posted unless lost. */
  const advance = async (m: SimulatedMessage, status: string) => {
    m.status = status;
    if (status === 'sent') {
      m.dateSent = new Date();
      m.price = '-0.00790';
    }
    if (status === 'undelivered' || status === 'failed') m.errorCode = 30003;
    if (!m.statusCallback || options.callbacks === false) return;
    const drop = drops.find((d) => matches(d.match, m));
    if (drop && Math.random() < drop.share) {
      dropped += 1;
      return;
    }
    const params: Record<string, string> = {
      MessageSid: m.sid,
      AccountSid: m.accountSid,
      MessageStatus: status,
      To: m.to,
      From: m.from,
    };
    if (m.errorCode) params.ErrorCode = String(m.errorCode);
    await signedPost(m.statusCallback, m.statusCallback, params).catch(() => undefined);
  };

  const receive: TwilioSimulator['receive'] = async (text, receiveOptions = {}) => {
    const message: SimulatedMessage = {
      sid: sid(text.media?.length ? 'MM' : 'SM'),
      accountSid: options.accountSid,
      direction: 'inbound',
      to: text.to,
      from: text.from,
      body: text.body,
      mediaUrls: [],
      media: (text.media ?? []).map((m) => ({ sid: sid('ME'), ...m })),
      statusCallback: null,
      status: 'received',
      errorCode: null,
      price: null,
      dateCreated: new Date(),
      dateSent: null,
    };
    inbound.push(message);
    if (receiveOptions.deliver === false || !webhook) return { sid: message.sid, webhookStatus: null };
    const params: Record<string, string> = {
      MessageSid: message.sid,
      SmsMessageSid: message.sid,
      AccountSid: options.accountSid,
      From: message.from,
      To: message.to,
      Body: message.body,
      NumMedia: String(message.media.length),
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    };
    message.media.forEach((m, i) => {
      params[`MediaUrl${i}`] = `${TWILIO_API}${mediaUri(message, m)}`;
      params[`MediaContentType${i}`] = m.contentType;
    });
    const res = await signedPost(webhook.signedUrl, webhook.postUrl, params).catch(() => null);
    await res?.arrayBuffer();
    return { sid: message.sid, webhookStatus: res?.status ?? null };
  };

  const list = (url: URL) => {
    const to = url.searchParams.get('To');
    const from = url.searchParams.get('From');
    const sentAfter = url.searchParams.get('DateSent>');
    const pageSize = Math.min(Number(url.searchParams.get('PageSize') ?? 50) || 50, 1000);
    const all = [...messages, ...inbound]
      .filter((m) => (!to || m.to === to) && (!from || m.from === from))
      .filter((m) => !sentAfter || m.dateCreated.getTime() >= new Date(sentAfter).getTime())
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
    const page = Number(url.searchParams.get('Page') ?? 0) || 0;
    const slice = all.slice(page * pageSize, (page + 1) * pageSize);
    const next = new URL(url.toString());
    next.searchParams.set('Page', String(page + 1));
    next.searchParams.set('PageSize', String(pageSize));
    return {
      messages: slice.map(resource),
      page,
      page_size: pageSize,
      next_page_uri: (page + 1) * pageSize < all.length ? `${next.pathname}${next.search}` : null,
    };
  };

  const create = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await readForm(req);
    const failure = take(failures, form);
    if (failure) {
      return json(res, failure.status, {
        code: failure.code,
        message: failure.message ?? `simulated error ${failure.code}`,
        more_info: `https://www.twilio.com/docs/errors/${failure.code}`,
        status: failure.status,
      });
    }
    const to = form.get('To') ?? '';
    if (!/^\+[1-9]\d{7,14}$/.test(to))
      return json(res, 400, {
        code: 21211,
        message: `The 'To' number ${to} is not a valid phone number.`,
        status: 400,
      });
    const message: SimulatedMessage = {
      sid: sid('SM'),
      accountSid: options.accountSid,
      direction: 'outbound-api',
      to,
      from: form.get('From') ?? '',
      body: form.get('Body') ?? '',
      mediaUrls: form.getAll('MediaUrl'),
      media: [],
      statusCallback: form.get('StatusCallback'),
      status: 'queued',
      errorCode: null,
      price: null,
      dateCreated: new Date(),
      dateSent: null,
    };
    messages.push(message);
    const final = take(finals, form) ?? options.finalStatus ?? 'delivered';
    const hold = take(holds, form);
    const after = take(afterAccepts, form);
    if (hold) await new Promise((r) => setTimeout(r, hold));
    // A caller that gave up has its message sent all the same, as with Twilio.
    if (!res.destroyed) json(res, 201, resource(message));
    after?.(message);
    // The message moves on as the carrier reports, whatever becomes of its callbacks (each is
    // posted on its own, so a slow or failing one holds nothing up, and they may arrive out of order).
    // Its own status moves in order: the final one is timed from `sent`, because timers of two
    // lengths due in one busy turn of the event loop may run in either order, and a `sent` after
    // the final status would leave the message `sent` for good (and its look-ups with it).
    setTimeout(() => {
      void advance(message, 'sent');
      if (final !== 'sent') setTimeout(() => void advance(message, final), 20);
    }, 20);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    // Playing the customer from the shell (deploy/local/send-sms.sh): no account credentials.
    if (req.method === 'POST' && url.pathname === '/simulator/inbound') {
      const form = await readForm(req);
      const result = await receive({
        from: form.get('From') ?? '',
        to: form.get('To') ?? '',
        body: form.get('Body') ?? '',
      });
      return json(res, 200, result);
    }
    if (req.headers.authorization !== expectedAuth) {
      return json(res, 401, {
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      });
    }
    if (req.method === 'POST' && url.pathname === `${base}.json`) return create(req, res);
    if (req.method === 'GET' && url.pathname === `${base}.json`) return json(res, 200, list(url));
    const one = new RegExp(
      `^${base}/((?:SM|MM)[0-9a-f]{32})(?:\\.json|/Media\\.json|/Media/(ME[0-9a-f]{32}))$`,
    ).exec(url.pathname);
    const message = one && [...messages, ...inbound].find((m) => m.sid === one[1]);
    if (req.method === 'GET' && message) {
      if (url.pathname.endsWith('/Media.json')) {
        return json(res, 200, {
          media_list: message.media.map((m) => ({
            sid: m.sid,
            account_sid: options.accountSid,
            parent_sid: message.sid,
            content_type: m.contentType,
            uri: `${mediaUri(message, m)}.json`,
          })),
          next_page_uri: null,
          page: 0,
          page_size: 50,
        });
      }
      if (one?.[2]) {
        const media = message.media.find((m) => m.sid === one[2]);
        if (!media) return json(res, 404, { code: 20404, message: 'not found', status: 404 });
        res.writeHead(200, { 'content-type': media.contentType, 'content-length': media.bytes.length });
        return res.end(media.bytes);
      }
      return json(res, 200, resource(message));
    }
    json(res, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, { code: 20500, message: 'simulator error', status: 500 }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    inbound,
    failNext: (failure, count = 1, match = {}) => {
      for (let i = 0; i < count; i++) failures.push({ value: failure, match });
    },
    holdNext: (ms, count = 1, match = {}) => {
      for (let i = 0; i < count; i++) holds.push({ value: ms, match });
    },
    finishNext: (status, count = 1, match = {}) => {
      for (let i = 0; i < count; i++) finals.push({ value: status, match });
    },
    afterNextAccept: (then, match = {}) => {
      afterAccepts.push({ value: then, match });
    },
    dropCallbacks: (share, match = {}) => {
      drops = [{ share, match }, ...drops.filter((d) => JSON.stringify(d.match) !== JSON.stringify(match))];
    },
    callbacksDropped: () => dropped,
    scriptedLeft: () => failures.length + holds.length + finals.length + afterAccepts.length,
    setInboundWebhook: (target) => {
      webhook = target;
    },
    receive,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
