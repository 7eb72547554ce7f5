// Live updates for dashboards (docs/api.md `GET /v1/events`): Server-Sent Events of the shop's
// conversation changes with the new unresolved count. Each event's id is its JetStream stream
// sequence, so a client that reconnects with Last-Event-ID resumes right after the last event it
// saw, losing none in between. Heartbeat comments keep proxies from closing an idle stream.
import type { Bus } from '@sms-inbox/bus';
import { type conversationV1, Events, type subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import type { Request, Response } from '@sms-inbox/http';
import { invalid, type Logger } from '@sms-inbox/platform';
import { type AnyRoute, defineRoute } from './api-route.js';
import { presentConversation } from './presenters.js';
import { liveEventBody } from './schemas.js';

export interface EventsDeps {
  bus: Bus;
  subscribers: subscriberV1.SubscriberServiceClient;
  conversations: conversationV1.ConversationServiceClient;
  timeoutMs: number;
  heartbeatMs: number;
  logger: Logger;
}

export interface LiveStreams {
  route: AnyRoute;
  /** Ends every open stream (graceful shutdown). */
  closeAll(): Promise<void>;
}

export function liveStreams(deps: EventsDeps): LiveStreams {
  const open = new Set<() => Promise<void>>();
  const route = defineRoute({
    method: 'get',
    path: '/v1/events',
    summary:
      'Server-Sent Events: `ready` with the unresolved count, then `conversation.changed` events (data: ' +
      'conversation and unresolved count) with ids to resume from (Last-Event-ID). Browsers may pass the token as ' +
      '`?access_token=`.',
    contentType: 'text/event-stream',
    response: liveEventBody,
    errors: [400],
    async handle({ req, res, session: { shop } }) {
      const lastId =
        req.header('last-event-id') ??
        (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
      if (lastId !== undefined && !/^\d{1,15}$/.test(lastId)) {
        throw invalid('invalid_last_event_id', 'Last-Event-ID must be an id this stream sent');
      }
      await stream(req, res, shop, lastId === undefined ? undefined : Number(lastId));
      return undefined;
    },
  });

  async function stream(req: Request, res: Response, shop: string, afterSeq: number | undefined) {
    // Subscribe first, then read the count: no change can fall between the two.
    const tail = await deps.bus.tail(Events.conversationChanged, { afterSeq });
    const { unresolved } = await call(
      deps.conversations,
      deps.conversations.getInboxSummary,
      { shop },
      deps.timeoutMs,
    );
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ unresolved })}\n\n`);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.heartbeatMs);
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      open.delete(close);
      await tail.stop();
      res.end();
    };
    open.add(close);
    req.on('close', () => void close());
    try {
      for await (const { seq, message } of tail) {
        const conversation = message.conversation;
        if (!conversation || conversation.shop !== shop) continue;
        const { subscribers } = await call(
          deps.subscribers,
          deps.subscribers.batchGetSubscribers,
          { shop, ids: [conversation.subscriberId], consentOnly: false },
          deps.timeoutMs,
        ).catch(() => ({ subscribers: [] as subscriberV1.Subscriber[] }));
        const data = {
          conversation: presentConversation(conversation, subscribers[0]),
          unresolved: message.unresolved,
        };
        res.write(`id: ${seq}\nevent: conversation.changed\ndata: ${JSON.stringify(data)}\n\n`);
      }
    } catch (err) {
      deps.logger.warn({ err }, 'live stream ended');
    } finally {
      await close();
    }
  }

  return {
    route,
    closeAll: async () => {
      await Promise.all([...open].map((close) => close()));
    },
  };
}
