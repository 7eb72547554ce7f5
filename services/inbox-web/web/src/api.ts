// The gateway's public API as the page uses it (docs/api.md): typed shapes, one error type that
// carries the API's code and message, and the session token on every call.
import type { Session } from './session';

export type ConversationStatus = 'unresolved' | 'resolved' | 'opted_out';
export type MessageStatus =
  | 'received'
  | 'scheduled'
  | 'queued'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'canceled';

export interface QuietHours {
  active: boolean;
  endsAt?: string | null;
  timezone?: string | null;
}

export interface Subscriber {
  id: string;
  phone: string;
  firstName?: string | null;
  lastName?: string | null;
  source: 'keyword' | 'checkout';
  customerUrl?: string | null;
  status: 'active' | 'opted_out';
  timezone?: string | null;
  quietHours: QuietHours;
}

export interface Message {
  id: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
  text: string;
  mediaUrls: string[];
  discountCode?: string | null;
  status: MessageStatus;
  errorCode?: string | null;
  createdAt: string;
  scheduledFor?: string | null;
  sentAt?: string | null;
  quietHoursOverride?: boolean;
  segments?: number;
}

export interface Conversation {
  id: string;
  status: ConversationStatus;
  lastActivityAt: string;
  lastMessage?: Message | null;
  subscriber: Subscriber;
  quietHours?: QuietHours;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export type SendMode = 'auto' | 'now' | 'scheduled';

export interface ReplyInput {
  text: string;
  mediaUrl?: string;
  discountCode?: string;
  send: SendMode;
}

/** An answer of the API other than a success, or no answer at all (status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class InboxApi {
  constructor(
    private readonly baseUrl: string,
    private readonly session: Session,
  ) {}

  summary() {
    return this.call<{ unresolved: number }>('GET', '/v1/inbox/summary');
  }

  conversations(query: { status?: ConversationStatus; q?: string; cursor?: string; limit?: number }) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, String(value));
    return this.call<Page<Conversation>>('GET', `/v1/conversations?${params}`);
  }

  conversation(id: string) {
    return this.call<Conversation>('GET', `/v1/conversations/${encodeURIComponent(id)}`);
  }

  /** The whole history, oldest first, every page. */
  async messages(conversationId: string): Promise<Message[]> {
    const all: Message[] = [];
    let cursor: string | null | undefined;
    do {
      const params = new URLSearchParams({ limit: '100' });
      if (cursor) params.set('cursor', cursor);
      const page = await this.call<Page<Message>>(
        'GET',
        `/v1/conversations/${encodeURIComponent(conversationId)}/messages?${params}`,
      );
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  reply(conversationId: string, input: ReplyInput, idempotencyKey: string) {
    return this.call<Message>(
      'POST',
      `/v1/conversations/${encodeURIComponent(conversationId)}/replies`,
      input,
      {
        'Idempotency-Key': idempotencyKey,
      },
    );
  }

  setStatus(conversationId: string, action: 'resolve' | 'unresolve') {
    return this.call<Conversation>(
      'POST',
      `/v1/conversations/${encodeURIComponent(conversationId)}/${action}`,
    );
  }

  optOut(subscriberId: string) {
    return this.call<Subscriber>('POST', `/v1/subscribers/${encodeURIComponent(subscriberId)}/opt-out`);
  }

  cancel(messageId: string) {
    return this.call<Message>('POST', `/v1/messages/${encodeURIComponent(messageId)}/cancel`);
  }

  /** An inbound MMS image: fetched with the token (an <img> cannot send one), as a blob. */
  async media(messageId: string, index: number): Promise<Blob> {
    const res = await this.send('GET', `/v1/messages/${encodeURIComponent(messageId)}/media/${index}`);
    if (!res.ok) throw await errorOf(res);
    return res.blob();
  }

  /** The live stream's response (see live.ts). */
  async events(lastEventId: string | undefined, signal: AbortSignal): Promise<Response> {
    const res = await this.send(
      'GET',
      '/v1/events',
      undefined,
      lastEventId ? { 'Last-Event-ID': lastEventId } : {},
      signal,
    );
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const res = await this.send(method, path, body, headers);
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as T;
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<Response> {
    const token = await this.session.token();
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        signal,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiError(0, 'network_error', 'The inbox could not reach the server.');
    }
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string } & Record<string, unknown>;
    };
    const { code, message, ...details } = body.error ?? {};
    return new ApiError(res.status, code ?? `http_${res.status}`, message ?? res.statusText, details);
  } catch {
    return new ApiError(
      res.status,
      `http_${res.status}`,
      `The server answered ${res.status} ${res.statusText}`.trim(),
    );
  }
}
