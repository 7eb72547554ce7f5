import type { MessageRecord, MessageRepository } from '../repositories/message.repository.js';
import type { AnnounceChange } from './announce-change.js';
import { ApplyDeliveryStatus } from './apply-delivery-status.usecase.js';

function setup(start: Partial<MessageRecord>) {
  const calls: string[] = [];
  let message = { _id: 'm1', status: 'queued', sentAt: null, ...start } as MessageRecord;
  // The store's side of the one conditional write: the status among `from`, `sentAt` as asked.
  let beforeMissing: (() => void) | null = null;
  const attempts: string[] = [];
  const messages = {
    findById: async () => message,
    moveFrom: async (
      _shop: string,
      _id: string,
      from: string[],
      fields: Partial<MessageRecord>,
      sent?: 'stored' | 'missing',
    ) => {
      attempts.push(sent ?? 'any');
      if (sent === 'missing' && beforeMissing) {
        beforeMissing();
        beforeMissing = null;
      }
      const sentOk = !sent || (sent === 'stored') === (message.sentAt != null);
      if (!from.includes(message.status) || !sentOk) return null;
      calls.push(`move ${message.status} → ${fields.status}`);
      message = { ...message, ...fields };
      return message;
    },
  } as unknown as MessageRepository;
  const announced: Array<MessageRecord | undefined> = [];
  const announce = {
    execute: async (_shop: string, _conversationId: string, _current: unknown, moved?: MessageRecord) => {
      calls.push('announce');
      announced.push(moved);
    },
  } as unknown as AnnounceChange;
  return {
    calls,
    announced,
    current: () => message,
    attempts,
    /** The next message, as the store holds it. */
    next: (fields: Partial<MessageRecord>) => {
      message = { _id: 'm1', status: 'queued', sentAt: null, ...fields } as MessageRecord;
      attempts.length = 0;
    },
    /** Another replica applies `sent` between the two writes a `delivered` may take. */
    sentBetween: () => {
      beforeMissing = () => {
        message = { ...message, status: 'sent', sentAt: new Date('2026-11-30T09:59:00Z') };
      };
    },
    apply: new ApplyDeliveryStatus(messages, announce),
  };
}

const event = (status: string, errorCode = 0) => ({
  messageId: 'm1',
  shop: 'a.myshopify.com',
  conversationId: 'c1',
  status,
  providerSid: 'SM1',
  errorCode,
  at: new Date('2026-11-30T10:00:00Z'),
});

it('moves a message up by rank with its sid and send time, and announces it', async () => {
  const { calls, current, apply } = setup({});
  await apply.execute(event('sent'));
  expect(calls).toEqual(['move queued → sent', 'announce']);
  expect(current()).toMatchObject({
    status: 'sent',
    providerSid: 'SM1',
    sentAt: new Date('2026-11-30T10:00:00Z'),
  });
});

it('announces the moved message with its new status (each move is a change of its own)', async () => {
  const { announced, apply } = setup({});
  await apply.execute(event('sent'));
  await apply.execute(event('delivered'));
  expect(announced.map((m) => [m?._id, m?.status])).toEqual([
    ['m1', 'sent'],
    ['m1', 'delivered'],
  ]);
});

it('never moves a final status back, nor an inbound message, and ignores `sending`', async () => {
  const delivered = setup({ status: 'delivered' });
  await delivered.apply.execute(event('sent'));
  const inbound = setup({ status: 'received' });
  await inbound.apply.execute(event('delivered'));
  await inbound.apply.execute(event('sending'));
  expect([...delivered.calls, ...inbound.calls]).toEqual([]);
});

it('gives a final status the send time only when the message has none (its `sent` never came)', async () => {
  const skipped = setup({});
  await skipped.apply.execute(event('delivered'));
  expect(skipped.current()).toMatchObject({ status: 'delivered', sentAt: new Date('2026-11-30T10:00:00Z') });
  const sentFirst = setup({ status: 'sent', sentAt: new Date('2026-11-30T09:59:00Z') });
  await sentFirst.apply.execute(event('delivered'));
  expect(sentFirst.current()).toMatchObject({
    status: 'delivered',
    sentAt: new Date('2026-11-30T09:59:00Z'),
  });
  const failed = setup({ status: 'sent', sentAt: new Date('2026-11-30T09:59:00Z') });
  await failed.apply.execute(event('undelivered', 30003));
  expect(failed.current()).toMatchObject({ status: 'undelivered', errorCode: 30003 });
});

it('applies `delivered` even when a concurrent `sent` lands between its two conditional writes', async () => {
  const { calls, current, sentBetween, apply } = setup({});
  sentBetween();
  await apply.execute(event('delivered'));
  expect(current()).toMatchObject({ status: 'delivered', sentAt: new Date('2026-11-30T09:59:00Z') });
  expect(calls).toEqual(['move sent → delivered', 'announce']);
});

it('tries first the send-time case that matched last: one write per delivered once sent reports are dropped as overtaken', async () => {
  const { attempts, next, current, apply } = setup({});
  await apply.execute(event('delivered'));
  expect(attempts).toEqual(['stored', 'missing']);
  expect(current()).toMatchObject({ status: 'delivered', sentAt: new Date('2026-11-30T10:00:00Z') });
  next({});
  await apply.execute(event('delivered'));
  expect(attempts).toEqual(['missing']);
  // A message whose `sent` came after all: the other case matches, and leads from then on.
  next({ status: 'sent', sentAt: new Date('2026-11-30T09:59:00Z') });
  await apply.execute(event('delivered'));
  expect(attempts).toEqual(['missing', 'stored']);
  expect(current().sentAt).toEqual(new Date('2026-11-30T09:59:00Z'));
  next({ status: 'sent', sentAt: new Date('2026-11-30T09:59:00Z') });
  await apply.execute(event('delivered'));
  expect(attempts).toEqual(['stored']);
});

it('announces again a move a redelivered report finds made (its first delivery stopped before announcing)', async () => {
  const { calls, announced, apply } = setup({});
  await apply.execute(event('delivered'), { deliveryCount: 1 });
  await apply.execute(event('delivered'), { deliveryCount: 2 });
  expect(calls).toEqual(['move queued → delivered', 'announce', 'announce']);
  expect(announced.map((m) => m?.status)).toEqual(['delivered', 'delivered']);
  // A first delivery that moves nothing announces nothing; nor does a redelivered report overtaken.
  const first = setup({ status: 'delivered' });
  await first.apply.execute(event('delivered'), { deliveryCount: 1 });
  await first.apply.execute(event('sent'), { deliveryCount: 3 });
  expect(first.calls).toEqual([]);
});
