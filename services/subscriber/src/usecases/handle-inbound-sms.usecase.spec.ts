import type { Bus } from '@sms-inbox/bus';
import { createLogger } from '@sms-inbox/platform';
import type { ShopRepository } from '../repositories/shop.repository.js';
import type { SubscriberRecord, SubscriberRepository } from '../repositories/subscriber.repository.js';
import type { Consent } from './consent.usecase.js';
import { HandleInboundSms } from './handle-inbound-sms.usecase.js';

const logger = createLogger('handle-inbound-spec', 'silent');
const SHOP = 'a.myshopify.com';

function setup(known: SubscriberRecord['status'] | null) {
  const calls: string[] = [];
  const subscriber = (status: string) =>
    ({ _id: 's1', shop: SHOP, phone: '+14155550101', status, firstName: null, lastName: null }) as never;
  const shops = {
    find: async (shop: string) =>
      shop === SHOP ? { shop: SHOP, keywords: ['JOIN'], timezone: 'America/New_York' } : null,
  } as unknown as ShopRepository;
  const subscribers = {
    findByPhone: async () => (known ? subscriber(known) : null),
  } as unknown as SubscriberRepository;
  const consent = {
    subscribe: async (_fields: unknown, cause: { id: string; source: string }) => {
      calls.push(`subscribe (${cause.source}, ${cause.id})`);
      return subscriber('active');
    },
    change: async (_s: unknown, to: string, cause: { id: string }) => {
      calls.push(`consent → ${to} (${cause.id})`);
      return subscriber(to);
    },
    settle: async (_s: unknown, _shop: unknown, _cause: unknown, extra?: string) => {
      calls.push(`settle${extra ? ` + ${extra}` : ''}`);
    },
    helpForStranger: async () => {
      calls.push('help for a stranger');
    },
  } as unknown as Consent;
  const bus = {
    publish: async (_e: unknown, m: { consentWord: boolean }, { msgId }: { msgId: string }) => {
      calls.push(`publish ${msgId}${m.consentWord ? ' (consent word)' : ''}`);
      return { duplicate: false, seq: 1 };
    },
  } as unknown as Bus;
  return { calls, handle: new HandleInboundSms(shops, subscribers, consent, bus, logger) };
}

const sms = (body: string, shop = SHOP) =>
  ({
    messageSid: 'SM1',
    shop,
    from: '+14155550101',
    to: '+14155550100',
    body,
    media: [],
    receivedAt: new Date(),
  }) as never;

it('subscribes a stranger who texts the keyword, the message as the cause, and passes the word on as a consent word', async () => {
  const { calls, handle } = setup(null);
  await handle.execute(sms('join'));
  // A consent word opens no conversation (the conversation service keeps it only in one that exists).
  expect(calls).toEqual(['subscribe (keyword, sms:SM1)', 'settle', 'publish reply:SM1 (consent word)']);
});

it("passes an active subscriber's text on to their conversation", async () => {
  const { calls, handle } = setup('active');
  await handle.execute(sms('where is my order?'));
  expect(calls).toEqual(['publish reply:SM1']);
});

it('opts a subscriber out on STOP and keeps the word in their history', async () => {
  const { calls, handle } = setup('active');
  await handle.execute(sms('STOP'));
  expect(calls).toEqual(['consent → opted_out (sms:SM1)', 'settle', 'publish reply:SM1 (consent word)']);
});

it("answers a stranger's HELP, ignores a stranger's other texts, and a text to a shop without settings", async () => {
  const help = setup(null);
  await help.handle.execute(sms('HELP'));
  expect(help.calls).toEqual(['help for a stranger']);
  const other = setup(null);
  await other.handle.execute(sms('hello?'));
  await other.handle.execute(sms('JOIN', 'gone.myshopify.com'));
  expect(other.calls).toEqual([]);
});
