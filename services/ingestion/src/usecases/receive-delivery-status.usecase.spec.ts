import type { Bus } from '@sms-inbox/bus';
import type { ReceiptRepository } from '../repositories/receipt.repository.js';
import { ReceiveDeliveryStatus } from './receive-delivery-status.usecase.js';

function setup(options: { published?: boolean } = {}) {
  const calls: string[] = [];
  const receipts = {
    find: async (id: string) => (options.published ? { _id: id, publishedAt: new Date() } : null),
    recordPublished: async (receipt: { _id: string }) => {
      calls.push(`record ${receipt._id}`);
    },
  } as unknown as ReceiptRepository;
  const bus = {
    publish: async (_event: unknown, message: { errorCode: number }, { msgId }: { msgId: string }) => {
      calls.push(`publish ${msgId} ${message.errorCode}`);
      return { duplicate: false, seq: 1 };
    },
  } as unknown as Bus;
  return { calls, receive: new ReceiveDeliveryStatus(receipts, bus) };
}

it('publishes a status once per message and status, before recording its receipt', async () => {
  const { calls, receive } = setup();
  const out = await receive.execute({ MessageSid: 'SM1', MessageStatus: 'Undelivered', ErrorCode: '30003' });
  expect(out).toEqual({ duplicate: false });
  expect(calls).toEqual(['publish status:SM1:undelivered 30003', 'record twilio_status:SM1:undelivered']);
});

it('publishes nothing for a status already published', async () => {
  const { calls, receive } = setup({ published: true });
  expect(await receive.execute({ MessageSid: 'SM1', MessageStatus: 'delivered' })).toEqual({
    duplicate: true,
  });
  expect(calls).toEqual([]);
});

it('refuses a callback without a well-formed MessageSid or MessageStatus', async () => {
  const { receive } = setup();
  await expect(receive.execute({ MessageStatus: 'sent' })).rejects.toMatchObject({
    code: 'invalid_message_sid',
  });
  await expect(receive.execute({ MessageSid: 'SM1', MessageStatus: '<b>' })).rejects.toMatchObject({
    code: 'invalid_message_status',
  });
});
