import type { Bus } from '@sms-inbox/bus';
import { ReceiveDeliveryStatus } from './receive-delivery-status.usecase.js';

/** A bus that, like JetStream, acknowledges a repeated message id as a duplicate. */
function setup() {
  const published: string[] = [];
  const seen = new Set<string>();
  const bus: Pick<Bus, 'publish'> = {
    publish: (async (_event: unknown, message: { errorCode: number }, { msgId }: { msgId: string }) => {
      published.push(`${msgId} ${message.errorCode}`);
      const duplicate = seen.has(msgId);
      seen.add(msgId);
      return { duplicate, seq: published.length };
    }) as Bus['publish'],
  };
  return { published, receive: new ReceiveDeliveryStatus(bus) };
}

it('publishes a status keyed by message and status, with its error code', async () => {
  const { published, receive } = setup();
  const out = await receive.execute({ MessageSid: 'SM1', MessageStatus: 'Undelivered', ErrorCode: '30003' });
  expect(out).toEqual({ duplicate: false });
  expect(published).toEqual(['status:SM1:undelivered 30003']);
});

it('reports a repeated callback as the duplicate the broker found it to be', async () => {
  const { published, receive } = setup();
  await receive.execute({ MessageSid: 'SM1', MessageStatus: 'delivered' });
  expect(await receive.execute({ MessageSid: 'SM1', MessageStatus: 'delivered' })).toEqual({
    duplicate: true,
  });
  expect(await receive.execute({ MessageSid: 'SM1', MessageStatus: 'sent' })).toEqual({ duplicate: false });
  expect(published).toEqual(['status:SM1:delivered 0', 'status:SM1:delivered 0', 'status:SM1:sent 0']);
});

it('refuses a callback without a well-formed MessageSid or MessageStatus', async () => {
  const { published, receive } = setup();
  await expect(receive.execute({ MessageStatus: 'sent' })).rejects.toMatchObject({
    code: 'invalid_message_sid',
  });
  await expect(receive.execute({ MessageSid: 'SM1', MessageStatus: '<b>' })).rejects.toMatchObject({
    code: 'invalid_message_status',
  });
  expect(published).toEqual([]);
});
