import { createLogger } from '@sms-inbox/platform';
import type { CustomerProfileRepository } from '../repositories/customer-profile.repository.js';
import type { ShopRepository } from '../repositories/shop.repository.js';
import type { SubscriberRepository } from '../repositories/subscriber.repository.js';
import type { Consent } from './consent.usecase.js';
import { customerUrlOf, HandleShopifyWebhook } from './handle-shopify-webhook.usecase.js';
import type { Privacy } from './privacy.usecase.js';

const logger = createLogger('handle-shopify-spec', 'silent');
const SHOP = 'a.myshopify.com';

function setup(options: { known?: boolean; storedPhone?: string } = {}) {
  const calls: string[] = [];
  const subscriber = (status = 'active') =>
    ({ _id: 's1', shop: SHOP, phone: '+14155550101', status }) as never;
  const shops = { find: async () => ({ shop: SHOP }) } as unknown as ShopRepository;
  const subscribers = {
    findByCustomerId: async () => (options.known ? subscriber() : null),
    findByPhone: async () => null,
    enrich: async (_shop: string, _id: string, fields: { customerUrl: string; timezone: string | null }) => {
      calls.push(`enrich ${fields.customerUrl} ${fields.timezone}`);
      return subscriber();
    },
  } as unknown as SubscriberRepository;
  const profiles = {
    find: async () => (options.storedPhone ? { phone: options.storedPhone, firstName: 'Ada' } : null),
    save: async (p: { phone: string }) => {
      calls.push(`profile ${p.phone}`);
    },
  } as unknown as CustomerProfileRepository;
  const consent = {
    subscribe: async (fields: { source: string; phone: string }, cause: { id: string }) => {
      calls.push(`subscribe ${fields.phone} (${fields.source}, ${cause.id})`);
      return subscriber();
    },
    change: async (_s: unknown, to: string) => {
      calls.push(`consent → ${to}`);
      return subscriber(to);
    },
    settle: async () => {
      calls.push('settle');
    },
  } as unknown as Consent;
  const privacy = {
    redactShop: async (shop: string) => {
      calls.push(`redact shop ${shop}`);
    },
    redactCustomer: async () => {
      calls.push('redact customer');
    },
    recordDataRequest: async () => {
      calls.push('data request');
    },
  } as unknown as Privacy;
  const held = {
    release: async (s: { status: string }) => {
      calls.push(`release held texts (${s.status})`);
    },
  };
  return {
    calls,
    handle: new HandleShopifyWebhook(shops, subscribers, profiles, consent, privacy, held, logger),
  };
}

const webhook = (topic: string, customer: Record<string, unknown> | null) =>
  ({ topic, shop: SHOP, webhookId: 'w1', receivedAt: new Date(), customer, dataRequestId: '' }) as never;

it('subscribes a checkout opt-in with source checkout, the webhook as the cause, then handles the texts held for the number', async () => {
  const { calls, handle } = setup();
  await handle.execute(
    webhook('customers_marketing_consent/update', {
      id: '7',
      phone: '+14155550101',
      smsConsent: { state: 'subscribed', collectedFrom: 'checkout' },
    }),
  );
  expect(calls).toEqual([
    'profile +14155550101',
    'subscribe +14155550101 (checkout, shopify:w1)',
    'settle',
    'release held texts (active)',
  ]);
});

it('enriches the subscriber it knows by customer id with the profile link and the address’s time zone, then opts out', async () => {
  const { calls, handle } = setup({ known: true });
  await handle.execute(
    webhook('customers/update', {
      id: '7',
      phone: '+14155550101',
      countryCode: 'US',
      provinceCode: 'CA',
      smsConsent: { state: 'unsubscribed' },
    }),
  );
  expect(calls).toEqual([
    'profile +14155550101',
    `enrich ${customerUrlOf(SHOP, '7')} America/Los_Angeles`,
    'consent → opted_out',
    'settle',
  ]);
});

it('takes the phone of a profile seen earlier for a consent-only payload', async () => {
  const { calls, handle } = setup({ storedPhone: '+14155550199' });
  await handle.execute(
    webhook('customers_marketing_consent/update', { id: '7', smsConsent: { state: 'subscribed' } }),
  );
  expect(calls).toContain('subscribe +14155550199 (checkout, shopify:w1)');
});

it('hands privacy topics to privacy', async () => {
  const { calls, handle } = setup();
  await handle.execute(webhook('shop/redact', null));
  await handle.execute(webhook('customers/redact', { id: '7' }));
  await handle.execute(webhook('customers/data_request', { id: '7' }));
  expect(calls).toEqual([`redact shop ${SHOP}`, 'redact customer', 'data request']);
});
