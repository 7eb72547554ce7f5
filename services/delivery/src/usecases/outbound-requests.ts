// What each kind of send request asks of delivery, in one shape: who may receive it (a reply
// or a confirmation needs an active subscriber; the opt-out confirmation goes to the number
// that just opted out; HELP to a number that is no subscriber goes to that number).
import type { conversationV1, subscriberV1 } from '@sms-inbox/contracts';
import type { Audience, OutboundRequest } from './send-outbound.usecase.js';

export const replyRequest = (r: conversationV1.SendRequested): OutboundRequest => ({
  id: r.messageId,
  kind: 'reply',
  shop: r.shop,
  subscriberId: r.subscriberId,
  conversationId: r.conversationId,
  to: r.to,
  from: '',
  body: r.text,
  mediaUrls: r.mediaUrls,
  audience: 'active',
});

export const autoReplyRequest = (r: subscriberV1.AutoReplyRequested): OutboundRequest => {
  const audience: Audience = !r.subscriberId
    ? r.kind === 'help'
      ? 'anyone'
      : 'active' // nobody to check: not sent
    : r.kind === 'opt_out_confirmation'
      ? 'opted_out'
      : 'active';
  return {
    id: `auto:${r.requestId}`,
    kind: r.kind,
    shop: r.shop,
    subscriberId: r.subscriberId,
    conversationId: '',
    to: r.to,
    from: r.from,
    body: r.text,
    mediaUrls: [],
    audience,
  };
};
