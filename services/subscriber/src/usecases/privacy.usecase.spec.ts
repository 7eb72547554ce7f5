import type { Bus } from '@sms-inbox/bus';
import { partyHash } from '@sms-inbox/platform';
import type { ConsentAuditRepository } from '../repositories/consent-audit.repository.js';
import type { CustomerProfileRepository } from '../repositories/customer-profile.repository.js';
import type { DataRequestRepository } from '../repositories/data-request.repository.js';
import type { HeldTextRepository } from '../repositories/held-text.repository.js';
import type { ShopRepository } from '../repositories/shop.repository.js';
import type { SubscriberRepository } from '../repositories/subscriber.repository.js';
import { Privacy } from './privacy.usecase.js';

const SHOP = 'a.myshopify.com';

function setup(known = true) {
  const calls: string[] = [];
  const log = (what: string) => async () => {
    calls.push(what);
  };
  const subscriber = { _id: 's1', shop: SHOP, phone: '+14155550101' };
  const subscribers = {
    findByCustomerId: async () => (known ? subscriber : null),
    findByPhone: async () => null,
    redact: async (_shop: string, _id: string, hash: string) => {
      calls.push(
        `redact subscriber keeping ${hash === partyHash(SHOP, '+14155550101') ? 'the phone hash' : hash}`,
      );
    },
    deleteShop: log('delete subscribers'),
  } as unknown as SubscriberRepository;
  const audit = {
    redact: log('redact audit'),
    deleteShop: log('delete audit'),
  } as unknown as ConsentAuditRepository;
  const profiles = {
    find: async () => null,
    delete: log('delete profile'),
    deleteShop: log('delete profiles'),
  } as unknown as CustomerProfileRepository;
  const dataRequests = {
    record: async (r: { subscriberId: string | null }) => {
      calls.push(`data request of ${r.subscriberId}`);
    },
    deleteForSubscriber: log('delete data requests'),
    deleteShop: log('delete shop data requests'),
  } as unknown as DataRequestRepository;
  const shops = { delete: log('delete shop') } as unknown as ShopRepository;
  const held = {
    eraseNumber: async (_shop: string, phone: string) => {
      calls.push(`delete held texts of ${phone}`);
    },
    eraseShop: log('delete held texts'),
  } as unknown as HeldTextRepository;
  const bus = {
    publish: async (_e: unknown, m: { partyHash?: string }, { msgId }: { msgId: string }) => {
      calls.push(`publish ${msgId}${m.partyHash ? ' with the phone hash' : ''}`);
      return { duplicate: false, seq: 1 };
    },
  } as unknown as Bus;
  return { calls, privacy: new Privacy(dataRequests, shops, subscribers, profiles, audit, held, bus) };
}

it('erases a customer’s personal data, keeps the consent proof under a phone hash, then tells the other services', async () => {
  const { calls, privacy } = setup();
  await privacy.redactCustomer(SHOP, { id: '7', phone: '+14155550101' } as never);
  expect(calls).toEqual([
    'delete profile',
    'delete held texts of +14155550101',
    'redact subscriber keeping the phone hash',
    'redact audit',
    'delete data requests',
    `publish redact:${SHOP}:7 with the phone hash`,
  ]);
});

it('tells the other services to erase a customer it never subscribed too', async () => {
  const { calls, privacy } = setup(false);
  await privacy.redactCustomer(SHOP, { id: '7', phone: '+14155550101' } as never);
  expect(calls).toEqual([
    'delete profile',
    'delete held texts of +14155550101',
    `publish redact:${SHOP}:7 with the phone hash`,
  ]);
});

it('deletes everything of a redacted shop before announcing it, and records data requests with their subscriber', async () => {
  const { calls, privacy } = setup();
  await privacy.redactShop(SHOP);
  expect(calls.at(-1)).toBe(`publish shop-redact:${SHOP}`);
  expect(calls.slice(0, -1).sort()).toEqual(
    [
      'delete audit',
      'delete held texts',
      'delete profiles',
      'delete shop',
      'delete shop data requests',
      'delete subscribers',
    ].sort(),
  );
  calls.length = 0;
  await privacy.recordDataRequest(SHOP, { id: '7' } as never, 'r1', 'w1');
  expect(calls).toEqual(['data request of s1']);
});
