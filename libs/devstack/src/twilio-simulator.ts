// A Twilio-compatible simulator of the Messages API, for the one-machine stack and tests: the
// real `twilio` SDK talks to it over HTTP (TWILIO_API_BASE_URL). It checks basic auth, keeps
// what was sent, answers like Twilio (JSON resources, error bodies with Twilio codes), can be
// told to fail the next sends, and posts signed status callbacks (queued → sent → delivered).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { twilioSignature } from './signing.js';

export interface SimulatedMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  mediaUrls: string[];
  statusCallback: string | null;
  status: string;
  dateCreated: string;
}

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
  /** Final status reported by callbacks (default delivered). */
  finalStatus?: 'delivered' | 'undelivered' | 'failed';
}

export interface TwilioSimulator {
  url: string;
  messages: SimulatedMessage[];
  /** The next `count` sends answer `failure` instead of accepting. */
  failNext(failure: SimulatedFailure, count?: number): void;
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

const resource = (m: SimulatedMessage) => ({
  sid: m.sid,
  account_sid: m.accountSid,
  to: m.to,
  from: m.from,
  body: m.body,
  status: m.status,
  num_media: String(m.mediaUrls.length),
  num_segments: '1',
  direction: 'outbound-api',
  date_created: m.dateCreated,
  date_updated: m.dateCreated,
  date_sent: null,
  error_code: null,
  error_message: null,
  price: null,
  uri: `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}.json`,
});

export async function startTwilioSimulator(options: TwilioSimulatorOptions): Promise<TwilioSimulator> {
  const messages: SimulatedMessage[] = [];
  const failures: SimulatedFailure[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const base = `/2010-04-01/Accounts/${options.accountSid}/Messages`;

  const callback = async (m: SimulatedMessage, status: string) => {
    if (!m.statusCallback) return;
    m.status = status;
    const params: Record<string, string> = {
      MessageSid: m.sid,
      AccountSid: m.accountSid,
      MessageStatus: status,
      To: m.to,
      From: m.from,
    };
    if (status === 'undelivered' || status === 'failed') params.ErrorCode = '30003';
    await fetch(m.statusCallback, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(options.authToken, m.statusCallback, params),
      },
      body: new URLSearchParams(params),
    }).catch(() => undefined);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== expectedAuth) {
      return json(res, 401, {
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      });
    }
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (req.method === 'POST' && url.pathname === `${base}.json`) {
      const form = await readForm(req);
      const failure = failures.shift();
      if (failure) {
        return json(res, failure.status, {
          code: failure.code,
          message: failure.message ?? `simulated error ${failure.code}`,
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
        sid: `SM${randomBytes(16).toString('hex')}`,
        accountSid: options.accountSid,
        to,
        from: form.get('From') ?? '',
        body: form.get('Body') ?? '',
        mediaUrls: form.getAll('MediaUrl'),
        statusCallback: form.get('StatusCallback'),
        status: 'queued',
        dateCreated: new Date().toUTCString(),
      };
      messages.push(message);
      json(res, 201, resource(message));
      if (options.callbacks !== false) {
        setTimeout(() => {
          void callback(message, 'sent').then(() => callback(message, options.finalStatus ?? 'delivered'));
        }, 20);
      }
      return;
    }
    const one = new RegExp(`^${base}/(SM[0-9a-f]{32})\\.json$`).exec(url.pathname);
    if (req.method === 'GET' && one) {
      const message = messages.find((m) => m.sid === one[1]);
      return message
        ? json(res, 200, resource(message))
        : json(res, 404, { code: 20404, message: 'not found', status: 404 });
    }
    if (req.method === 'GET' && url.pathname === `${base}.json`) {
      const to = url.searchParams.get('To');
      const list = messages.filter((m) => !to || m.to === to).map(resource);
      return json(res, 200, { messages: list, page: 0, page_size: list.length, next_page_uri: null });
    }
    json(res, 404, { code: 20404, message: 'not found', status: 404 });
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
    failNext: (failure, count = 1) => {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
