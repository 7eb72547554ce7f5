// Live updates over `GET /v1/events` (Server-Sent Events). Read with fetch rather than
// EventSource so the token goes in the Authorization header, not the address. A dropped stream
// is opened again after a pause, with the id of the last event seen (Last-Event-ID): the gateway
// resumes right after it, so nothing in between is lost.
import type { Conversation, InboxApi } from './api';

export interface LiveHandlers {
  /** The stream is (again) open, with the unresolved count at that moment. */
  ready(unresolved: number): void;
  changed(conversation: Conversation, unresolved: number): void;
  /** The stream dropped; it is being opened again. */
  dropped(): void;
}

export function followEvents(api: InboxApi, handlers: LiveHandlers): () => void {
  const abort = new AbortController();
  let lastEventId: string | undefined;
  let pause = 500;

  const run = async () => {
    while (!abort.signal.aborted) {
      try {
        const res = await api.events(lastEventId, abort.signal);
        pause = 500;
        await readStream(res.body!, (event) => {
          if (event.id) lastEventId = event.id;
          const data = JSON.parse(event.data);
          if (event.type === 'ready') handlers.ready(data.unresolved);
          else if (event.type === 'conversation.changed')
            handlers.changed(data.conversation, data.unresolved);
        });
      } catch {
        // dropped or refused: opened again below
      }
      if (abort.signal.aborted) return;
      handlers.dropped();
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 10_000);
    }
  };
  void run();
  return () => abort.abort();
}

interface ServerEvent {
  id?: string;
  type: string;
  data: string;
}

async function readStream(body: ReadableStream<Uint8Array>, onEvent: (event: ServerEvent) => void) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replaceAll('\r\n', '\n');
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event) onEvent(event);
      end = buffer.indexOf('\n\n');
    }
  }
}

/** One event of the text/event-stream format; comments (heartbeats) give none. */
export function parseBlock(block: string): ServerEvent | undefined {
  const event: ServerEvent = { type: 'message', data: '' };
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') event.id = value;
    else if (field === 'event') event.type = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  event.data = data.join('\n');
  return event;
}
