import type { Bus } from '@sms-inbox/bus';
import type { ShopDirectory } from '../domain/ports.js';
import type { ReceiptRepository } from '../repositories/receipt.repository.js';
import { ReceiveInboundSms } from './receive-inbound-sms.usecase.js';

const SHOP = 'spec.myshopify.com';
const params = (sid = 'SM0123456789abcdef0123456789abcdef') => ({
  MessageSid: sid,
  AccountSid: 'AC1',
  From: '+14155550101',
  To: '+14155550100',
  Body: 'is my order on its way?',
  NumMedia: '1',
  MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
  MediaContentType0: 'image/png',
});

const KNOWN_AT = new Date('2026-11-30T10:00:00Z');

function fakes(
  options: { published?: boolean; inBrokerWindow?: boolean; publish?: () => Promise<void> } = {},
) {
  const calls: string[] = [];
  const receipts = {
    find: async (id: string) => {
      calls.push(`find ${id}`);
      return options.published ? { _id: id, publishedAt: new Date() } : null;
    },
    recordPublished: async (receipt: { _id: string }) => {
      calls.push(`record ${receipt._id}`);
      return !options.published;
    },
  } as unknown as ReceiptRepository;
  const shops: ShopDirectory = {
    shopFor: async (phone) => (phone === '+14155550100' ? { shop: SHOP, asOf: KNOWN_AT } : null),
    exists: async () => true,
  };
  const published: unknown[] = [];
  const bus = {
    publish: async (_event: unknown, message: unknown, { msgId }: { msgId: string }) => {
      calls.push(`publish ${msgId}`);
      await options.publish?.();
      published.push(message);
      return { duplicate: options.inBrokerWindow ?? false, seq: 1 };
    },
  } as unknown as Bus;
  const erase = {
    settle: async (receipt: { shop: string | null }, since: Date) => {
      calls.push(`settle ${receipt.shop} since ${since.toISOString()}`);
      return false;
    },
  };
  return { calls, published, receive: new ReceiveInboundSms(receipts, shops, bus, erase) };
}

it('publishes the text before recording its receipt, so a crash in between is repaired by the retry', async () => {
  const { calls, published, receive } = fakes();
  expect(await receive.execute(params())).toEqual({ duplicate: false });
  expect(calls).toEqual([
    'find twilio_sms:SM0123456789abcdef0123456789abcdef',
    'publish sms:SM0123456789abcdef0123456789abcdef',
    'record twilio_sms:SM0123456789abcdef0123456789abcdef',
    // An erasure of the shop recorded since its number was looked up erases the receipt again.
    `settle ${SHOP} since ${KNOWN_AT.toISOString()}`,
  ]);
  expect(published[0]).toMatchObject({
    shop: SHOP,
    from: '+14155550101',
    body: 'is my order on its way?',
    media: [{ contentType: 'image/png' }],
  });
});

it('records no receipt when the publish fails, so the webhook is answered 5xx and retried', async () => {
  const { calls, receive } = fakes({
    publish: async () => {
      throw new Error('no broker');
    },
  });
  await expect(receive.execute(params())).rejects.toThrow('no broker');
  expect(calls.filter((c) => c.startsWith('record'))).toEqual([]);
});

it('publishes nothing again for a text whose receipt says it was published (also after the broker window)', async () => {
  const { calls, receive } = fakes({ published: true });
  expect(await receive.execute(params())).toEqual({ duplicate: true });
  expect(calls.filter((c) => c.startsWith('publish'))).toEqual([]);
});

it('answers a repeat the broker dropped within its window as a duplicate', async () => {
  const { receive } = fakes({ inBrokerWindow: true });
  expect(await receive.execute(params())).toEqual({ duplicate: true });
});

it('refuses a malformed MessageSid, a From that is no phone number, and a number no shop sends from', async () => {
  const { calls, receive } = fakes();
  await expect(receive.execute({ ...params(), MessageSid: 'no spaces allowed' })).rejects.toMatchObject({
    code: 'invalid_message_sid',
  });
  await expect(receive.execute({ ...params(), From: 'hello' })).rejects.toMatchObject({
    code: 'invalid_from',
  });
  await expect(receive.execute({ ...params(), To: '+14155559999' })).rejects.toMatchObject({
    code: 'unknown_number',
  });
  expect(calls).toEqual([]);
});
