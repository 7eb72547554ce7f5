// Subscribers: their profile, the merchant's opt-out, consent history, and what privacy law
// lets a customer ask for (data requests and the export).
import { isAppError } from '@sms-inbox/platform';
import { defineRoute } from '../api-route.js';
import {
  presentConsentChange,
  presentConversation,
  presentMessage,
  presentSubscriber,
} from '../presenters.js';
import { consentChangeBody, dataRequestBody, exportBody, list, subscriberBody } from '../schemas.js';
import { idParam, type Services } from './route-deps.js';

export const subscriberRoutes = ({ rpc, subscribers, conversations }: Services) => [
  defineRoute({
    method: 'get',
    path: '/v1/subscribers/:id',
    summary: 'A subscriber',
    response: subscriberBody,
    errors: [404],
    async handle({ req, session: { shop } }) {
      const out = await rpc(subscribers, subscribers.getSubscriber, {
        shop,
        id: idParam(req),
        consentOnly: false,
      });
      return presentSubscriber(out.subscriber!);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/subscribers/:id/opt-out',
    summary: "The merchant's manual opt-out",
    response: subscriberBody,
    errors: [404],
    async handle({ req, session: { shop, userId } }) {
      const out = await rpc(subscribers, subscribers.optOutSubscriber, {
        shop,
        id: idParam(req),
        actor: userId,
        source: 'merchant',
        cause: '',
        detail: '',
      });
      return presentSubscriber(out.subscriber!);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/subscribers/:id/consent-history',
    summary: "The subscriber's consent changes, newest first",
    response: list(consentChangeBody),
    errors: [404],
    async handle({ req, session: { shop } }) {
      const out = await rpc(subscribers, subscribers.listConsentChanges, { shop, id: idParam(req) });
      return { items: out.changes.map(presentConsentChange) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/subscribers/:id/export',
    summary: 'Everything held about the subscriber, as one document (customers/data_request)',
    response: exportBody,
    errors: [404],
    async handle({ req, session: { shop } }) {
      const id = idParam(req);
      const [subscriber, consent] = await Promise.all([
        rpc(subscribers, subscribers.getSubscriber, { shop, id, consentOnly: false }),
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
        const found = await rpc(conversations, conversations.listMessages, {
          shop,
          conversationId: conversation.id,
          limit: 100,
          cursor,
        });
        messages.push(...found.messages.map(presentMessage));
        if (!found.nextCursor) break;
        cursor = found.nextCursor;
      }
      return {
        exportedAt: new Date().toISOString(),
        shop,
        subscriber: presentSubscriber(subscriber.subscriber!),
        consentHistory: consent.changes.map(presentConsentChange),
        conversation: conversation ? presentConversation(conversation, subscriber.subscriber) : null,
        messages,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/data-requests',
    summary: "The shop's customers/data_request webhooks",
    response: list(dataRequestBody),
    async handle({ session: { shop } }) {
      const out = await rpc(subscribers, subscribers.listDataRequests, { shop });
      return {
        items: out.requests.map((r) => ({
          id: r.id,
          subscriberId: r.subscriberId || null,
          customerId: r.customerId,
          shopifyRequestId: r.shopifyRequestId || null,
          requestedAt: r.requestedAt?.toISOString() ?? null,
          exportUrl: r.subscriberId ? `/v1/subscribers/${r.subscriberId}/export` : null,
        })),
      };
    },
  }),
];
