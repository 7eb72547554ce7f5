// The inbox: conversations, their histories, replies and statuses, and the red dot.
import { invalid } from '@sms-inbox/platform';
import { defineRoute } from '../api-route.js';
import { presentConversation, presentMessage } from '../presenters.js';
import {
  conversationBody,
  list,
  listConversationsQuery,
  listMessagesQuery,
  messageBody,
  page,
  replyBody,
  replyResponseBody,
  statusChangeBody,
  summaryBody,
} from '../schemas.js';
import { idParam, type Services } from './route-deps.js';

export const conversationRoutes = ({ rpc, conversations, subscribers, withSubscriber }: Services) => [
  defineRoute({
    method: 'get',
    path: '/v1/inbox/summary',
    summary: 'The unresolved count (the red dot)',
    response: summaryBody,
    async handle({ session: { shop } }) {
      const out = await rpc(conversations, conversations.getInboxSummary, { shop });
      return { unresolved: out.unresolved };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/conversations',
    summary: 'Conversations, newest activity first; paging is stable while new messages arrive',
    query: listConversationsQuery,
    response: page(conversationBody),
    errors: [400],
    async handle({ session: { shop }, query }) {
      const found = await rpc(conversations, conversations.listConversations, {
        shop,
        status: query.status ?? '',
        query: query.q ?? '',
        limit: query.limit ?? 25,
        cursor: query.cursor ?? '',
      });
      // Each conversation comes with its subscriber; one from a conversation service that does not
      // send it yet (during a rolling update) is asked for here.
      const ids = [...new Set(found.conversations.filter((c) => !c.subscriber).map((c) => c.subscriberId))];
      const missing = ids.length
        ? (await rpc(subscribers, subscribers.batchGetSubscribers, { shop, ids, consentOnly: false }))
            .subscribers
        : [];
      const byId = new Map(missing.map((s) => [s.id, s]));
      return {
        items: found.conversations.map((c) =>
          presentConversation(c, c.subscriber ?? byId.get(c.subscriberId)),
        ),
        nextCursor: found.nextCursor ?? null,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/conversations/:id',
    summary: 'One conversation with its subscriber',
    response: conversationBody,
    errors: [404],
    async handle({ req, session: { shop } }) {
      const { conversation } = await rpc(conversations, conversations.getConversation, {
        shop,
        id: idParam(req),
        subscriberId: '',
      });
      return withSubscriber(shop, conversation!);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/conversations/:id/messages',
    summary: "A conversation's whole history, oldest first",
    query: listMessagesQuery,
    response: page(messageBody),
    errors: [400, 404],
    async handle({ req, session: { shop }, query }) {
      const found = await rpc(conversations, conversations.listMessages, {
        shop,
        conversationId: idParam(req),
        limit: query.limit ?? 50,
        cursor: query.cursor ?? '',
      });
      return { items: found.messages.map(presentMessage), nextCursor: found.nextCursor ?? null };
    },
  }),
  ...(['resolve', 'unresolve'] as const).map((action) =>
    defineRoute({
      method: 'post',
      path: `/v1/conversations/:id/${action}`,
      summary: action === 'resolve' ? 'Mark resolved' : 'Mark unresolved',
      response: conversationBody,
      errors: [404, 409],
      async handle({ req, session: { shop, userId } }) {
        const { conversation } = await rpc(conversations, conversations.setStatus, {
          shop,
          id: idParam(req),
          action,
          actor: userId,
        });
        return withSubscriber(shop, conversation!);
      },
    }),
  ),
  defineRoute({
    method: 'post',
    path: '/v1/conversations/:id/replies',
    summary:
      'Reply by SMS/MMS (header Idempotency-Key: the same key and body returns the first result and sends nothing new). ' +
      '202 with the message, its encoding and segments. 409 quiet_hours (with quietHours.endsAt and timezone) or subscriber_opted_out.',
    body: replyBody,
    status: 202,
    response: replyResponseBody,
    errors: [400, 404, 409, 413, 422],
    async handle({ req, session: { shop, userId }, body }) {
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
      return {
        ...presentMessage(out.message!),
        encoding: out.encoding as 'GSM-7' | 'UCS-2',
        segments: out.segments,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/conversations/:id/status-history',
    summary: "The conversation's status changes with their reason and actor, newest first",
    response: list(statusChangeBody),
    errors: [404],
    async handle({ req, session: { shop } }) {
      const out = await rpc(conversations, conversations.listStatusChanges, { shop, id: idParam(req) });
      return {
        items: out.changes.map((c) => ({
          at: c.at?.toISOString() ?? null,
          from: c.from,
          to: c.to,
          reason: c.reason,
          actor: c.actor,
        })),
      };
    },
  }),
];
