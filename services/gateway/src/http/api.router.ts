// The dashboard REST API (API.md "Gateway REST API"): session-token auth on every /v1 route,
// request validation, gRPC calls with deadlines, and the API's JSON shapes.
import { pipeline } from 'node:stream/promises';
import type { Client } from '@grpc/grpc-js';
import type { conversationV1, subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import { express, type Request, route } from '@sms-inbox/http';
import { invalid, isAppError, notFound } from '@sms-inbox/platform';
import type { z } from 'zod';
import type { TwilioMedia } from '../clients/twilio-media.js';
import {
  presentConsentChange,
  presentConversation,
  presentMessage,
  presentShop,
  presentSubscriber,
} from './presenters.js';
import { listConversationsQuery, listMessagesQuery, putShopBody, replyBody } from './schemas.js';
import type { RateLimiter } from './security.js';
import type { Session, SessionVerifier } from './session-token.js';

export interface ApiDeps {
  sessions: SessionVerifier;
  media: TwilioMedia;
  subscribers: subscriberV1.SubscriberServiceClient;
  conversations: conversationV1.ConversationServiceClient;
  timeoutMs: number;
  rateLimiter: RateLimiter;
  bodyLimitBytes: number;
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw invalid('invalid_request', 'the request is not valid', {
      details: { issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return result.data;
}

const sessionOf = (req: Request) => (req as Request & { session: Session }).session;

export function apiRouter(deps: ApiDeps) {
  const { subscribers, conversations, timeoutMs } = deps;
  const rpc = <Req, Res>(client: Client, method: Parameters<typeof call<Req, Res>>[1], request: Req) =>
    call(client, method, request, timeoutMs);
  const router = express.Router();
  /** A conversation in the API's shape, with its subscriber from the subscriber service. */
  const withSubscriber = async (shop: string, conversation: conversationV1.Conversation) => {
    const { subscriber } = await rpc(subscribers, subscribers.getSubscriber, {
      shop,
      id: conversation.subscriberId,
    });
    return presentConversation(conversation, subscriber);
  };

  router.use('/v1', (req, _res, next) => {
    deps.sessions.verify(authorizationOf(req)).then((session) => {
      (req as Request & { session: Session }).session = session;
      next();
    }, next);
  });
  router.use(
    '/v1',
    deps.rateLimiter.middleware((req) => sessionOf(req).shop),
  );
  router.use('/v1', express.json({ limit: deps.bodyLimitBytes }));

  router.get(
    '/v1/shop',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const out = await rpc(subscribers, subscribers.getShop, { shop });
      res.json(presentShop(out.shop!));
    }),
  );

  router.put(
    '/v1/shop',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const body = parse(putShopBody, req.body ?? {});
      const current = await rpc(subscribers, subscribers.getShop, { shop }).then(
        (r) => r.shop!,
        (err) => {
          if (isAppError(err) && err.kind === 'not_found') return null;
          throw err;
        },
      );
      const phoneNumber = body.phoneNumber ?? current?.phoneNumber;
      if (!phoneNumber) throw invalid('phone_number_required', 'phoneNumber is required for a new shop');
      const out = await rpc(subscribers, subscribers.putShop, {
        shop: {
          shop,
          phoneNumber,
          keywords: body.keywords ?? current?.keywords ?? ['JOIN'],
          timezone: body.timezone ?? current?.timezone ?? 'America/New_York',
          quietHours: body.quietHours === undefined ? current?.quietHours : (body.quietHours ?? undefined),
          // Texts left empty get the shop's defaults from the subscriber service.
          texts: {
            optInConfirmation: '',
            help: '',
            optOutConfirmation: '',
            ...current?.texts,
            ...body.texts,
          },
        },
      });
      res.json(presentShop(out.shop!));
    }),
  );

  router.get(
    '/v1/inbox/summary',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const out = await rpc(conversations, conversations.getInboxSummary, { shop });
      res.json({ unresolved: out.unresolved });
    }),
  );

  router.get(
    '/v1/conversations',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const query = parse(listConversationsQuery, req.query);
      const page = await rpc(conversations, conversations.listConversations, {
        shop,
        status: query.status ?? '',
        query: query.q ?? '',
        limit: query.limit ?? 25,
        cursor: query.cursor ?? '',
      });
      // Each conversation comes with its subscriber; one from a conversation service that does not
      // send it yet (during a rolling update) is asked for here.
      const ids = [...new Set(page.conversations.filter((c) => !c.subscriber).map((c) => c.subscriberId))];
      const found = ids.length
        ? (await rpc(subscribers, subscribers.batchGetSubscribers, { shop, ids })).subscribers
        : [];
      const byId = new Map(found.map((s) => [s.id, s]));
      res.json({
        items: page.conversations.map((c) =>
          presentConversation(c, c.subscriber ?? byId.get(c.subscriberId)),
        ),
        nextCursor: page.nextCursor ?? null,
      });
    }),
  );

  router.get(
    '/v1/conversations/:id',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const { conversation } = await rpc(conversations, conversations.getConversation, {
        shop,
        id: idParam(req),
        subscriberId: '',
      });
      res.json(await withSubscriber(shop, conversation!));
    }),
  );

  router.get(
    '/v1/conversations/:id/messages',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const query = parse(listMessagesQuery, req.query);
      const page = await rpc(conversations, conversations.listMessages, {
        shop,
        conversationId: idParam(req),
        limit: query.limit ?? 50,
        cursor: query.cursor ?? '',
      });
      res.json({ items: page.messages.map(presentMessage), nextCursor: page.nextCursor ?? null });
    }),
  );

  router.post(
    '/v1/conversations/:id/replies',
    route(async (req, res) => {
      const { shop, userId } = sessionOf(req);
      const body = parse(replyBody, req.body ?? {});
      const idempotencyKey = req.header('idempotency-key') ?? '';
      if (idempotencyKey.length > 255)
        throw invalid('invalid_idempotency_key', 'Idempotency-Key is at most 255 characters');
      const out = await rpc(conversations, conversations.createReply, {
        shop,
        conversationId: idParam(req),
        text: body.text ?? '',
        mediaUrl: body.mediaUrl ?? '',
        discountCode: body.discountCode ?? '',
        send: body.send ?? '',
        idempotencyKey,
        actor: userId,
      });
      res.status(202).json({
        ...presentMessage(out.message!),
        encoding: out.encoding as 'GSM-7' | 'UCS-2',
        segments: out.segments,
      });
    }),
  );

  for (const action of ['resolve', 'unresolve'] as const) {
    router.post(
      `/v1/conversations/:id/${action}`,
      route(async (req, res) => {
        const { shop, userId } = sessionOf(req);
        const { conversation } = await rpc(conversations, conversations.setStatus, {
          shop,
          id: idParam(req),
          action,
          actor: userId,
        });
        res.json(await withSubscriber(shop, conversation!));
      }),
    );
  }

  router.get(
    '/v1/conversations/:id/status-history',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const out = await rpc(conversations, conversations.listStatusChanges, { shop, id: idParam(req) });
      res.json({
        items: out.changes.map((c) => ({
          at: c.at?.toISOString() ?? null,
          from: c.from,
          to: c.to,
          reason: c.reason,
          actor: c.actor,
        })),
      });
    }),
  );

  router.get(
    '/v1/subscribers/:id',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const out = await rpc(subscribers, subscribers.getSubscriber, { shop, id: idParam(req) });
      res.json(presentSubscriber(out.subscriber!));
    }),
  );

  router.post(
    '/v1/subscribers/:id/opt-out',
    route(async (req, res) => {
      const { shop, userId } = sessionOf(req);
      const out = await rpc(subscribers, subscribers.optOutSubscriber, {
        shop,
        id: idParam(req),
        actor: userId,
        source: 'merchant',
        cause: '',
        detail: '',
      });
      res.json(presentSubscriber(out.subscriber!));
    }),
  );

  router.get(
    '/v1/subscribers/:id/consent-history',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const out = await rpc(subscribers, subscribers.listConsentChanges, { shop, id: idParam(req) });
      res.json({ items: out.changes.map(presentConsentChange) });
    }),
  );

  router.get(
    '/v1/data-requests',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const out = await rpc(subscribers, subscribers.listDataRequests, { shop });
      res.json({
        items: out.requests.map((r) => ({
          id: r.id,
          subscriberId: r.subscriberId || null,
          customerId: r.customerId,
          shopifyRequestId: r.shopifyRequestId || null,
          requestedAt: r.requestedAt?.toISOString() ?? null,
          exportUrl: r.subscriberId ? `/v1/subscribers/${r.subscriberId}/export` : null,
        })),
      });
    }),
  );

  // A scheduled reply canceled before its release; canceling it again answers the same.
  router.post(
    '/v1/messages/:id/cancel',
    route(async (req, res) => {
      const { shop, userId } = sessionOf(req);
      const { message } = await rpc(conversations, conversations.cancelMessage, {
        shop,
        id: idParam(req),
        actor: userId,
      });
      res.json(presentMessage(message!));
    }),
  );

  // The n-th image of an inbound MMS, streamed from Twilio: the shop's own messages only.
  router.get(
    '/v1/messages/:id/media/:n',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const n = String(req.params.n);
      if (!/^\d{1,2}$/.test(n)) throw invalid('invalid_media_index', 'the media index is a number from 0');
      const { message } = await rpc(conversations, conversations.getMessage, { shop, id: idParam(req) });
      const url = message?.direction === 'inbound' ? message.mediaUrls[Number(n)] : undefined;
      if (!url) throw notFound('media_not_found', 'no such media');
      const media = await deps.media.open(url);
      res.status(200);
      res.setHeader('content-type', media.contentType);
      if (media.contentLength) res.setHeader('content-length', media.contentLength);
      res.setHeader('cache-control', 'private, max-age=3600');
      res.setHeader(
        'content-disposition',
        media.contentType === 'application/octet-stream' ? 'attachment' : 'inline',
      );
      await pipeline(media.body, res);
    }),
  );

  // Everything held about one subscriber, as one JSON document (customers/data_request).
  router.get(
    '/v1/subscribers/:id/export',
    route(async (req, res) => {
      const { shop } = sessionOf(req);
      const id = idParam(req);
      const [subscriber, consent] = await Promise.all([
        rpc(subscribers, subscribers.getSubscriber, { shop, id }),
        rpc(subscribers, subscribers.listConsentChanges, { shop, id }),
      ]);
      const conversation = await rpc(conversations, conversations.getConversation, {
        shop,
        id: '',
        subscriberId: id,
      }).then(
        (r) => r.conversation ?? null,
        (err) => {
          if (isAppError(err) && err.kind === 'not_found') return null;
          throw err;
        },
      );
      const messages = [];
      let cursor = '';
      while (conversation) {
        const page = await rpc(conversations, conversations.listMessages, {
          shop,
          conversationId: conversation.id,
          limit: 100,
          cursor,
        });
        messages.push(...page.messages.map(presentMessage));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      res.json({
        exportedAt: new Date().toISOString(),
        shop,
        subscriber: presentSubscriber(subscriber.subscriber!),
        consentHistory: consent.changes.map(presentConsentChange),
        conversation: conversation ? presentConversation(conversation, subscriber.subscriber) : null,
        messages,
      });
    }),
  );

  return router;
}

/**
 * The Authorization header; for the live stream also `?access_token=`, because browsers'
 * EventSource cannot set headers.
 */
function authorizationOf(req: Request): string | undefined {
  const header = req.header('authorization');
  if (header) return header;
  const token = req.query.access_token;
  return req.path === '/events' && typeof token === 'string' ? `Bearer ${token}` : undefined;
}

/** Path ids are opaque; an id that cannot exist is simply not found. */
function idParam(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw notFound('not_found', 'no such resource');
  return id;
}
