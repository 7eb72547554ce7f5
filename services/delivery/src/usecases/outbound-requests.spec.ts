import { autoReplyRequest, replyRequest } from './outbound-requests.js';

const auto = (kind: string, subscriberId: string) =>
  autoReplyRequest({
    requestId: 'r1',
    shop: 'a.myshopify.com',
    subscriberId,
    to: '+14155550101',
    from: '+14155550100',
    kind,
    text: 'text',
    requestedAt: new Date(),
  });

it('sends a reply only to an active subscriber, keyed by its message id', () => {
  const r = replyRequest({
    messageId: 'm1',
    shop: 'a.myshopify.com',
    conversationId: 'c1',
    subscriberId: 's1',
    to: '+14155550101',
    text: 'hi',
    mediaUrls: [],
    requestedAt: new Date(),
  });
  expect(r).toMatchObject({ id: 'm1', kind: 'reply', audience: 'active', from: '' });
});

it('sends the opt-out confirmation to the number that just opted out, HELP to anyone, the rest to the active only', () => {
  expect(auto('opt_out_confirmation', 's1')).toMatchObject({ id: 'auto:r1', audience: 'opted_out' });
  expect(auto('help', '')).toMatchObject({ audience: 'anyone' });
  expect(auto('help', 's1')).toMatchObject({ audience: 'active' });
  expect(auto('opt_in_confirmation', 's1')).toMatchObject({ audience: 'active', conversationId: '' });
  // Nobody to check consent with: not sent.
  expect(auto('opt_in_confirmation', '')).toMatchObject({ audience: 'active', subscriberId: '' });
});
