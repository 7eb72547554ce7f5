import type { Bus } from '@sms-inbox/bus';
import type { ConsentAuditRepository } from '../repositories/consent-audit.repository.js';
import type { ShopSettings } from '../repositories/shop.repository.js';
import type { SubscriberRecord, SubscriberRepository } from '../repositories/subscriber.repository.js';
import { Consent, type ConsentCause } from './consent.usecase.js';

const shop = {
  _id: 'a.myshopify.com',
  phoneNumber: '+14155550100',
  timezone: 'America/New_York',
  texts: { optInConfirmation: 'welcome', help: 'help text', optOutConfirmation: 'bye' },
} as unknown as ShopSettings;

const record = (status: SubscriberRecord['status'], fields: Partial<SubscriberRecord> = {}) =>
  ({
    _id: 's1',
    shop: 'a.myshopify.com',
    phone: '+14155550101',
    status,
    version: 1,
    consentAt: new Date('2026-11-01T00:00:00Z'),
    updatedAt: new Date(),
    ...fields,
  }) as SubscriberRecord;

function setup(audited: { to: string; source: string } | null = null) {
  const calls: string[] = [];
  const subscribers = {
    createIfAbsent: async (fields: { status: string }) => {
      calls.push(`create ${fields.status}`);
      return { subscriber: record('active', { createdBy: 'sms:SM1' }), created: true };
    },
    transition: async (_shop: string, _id: string, from: string, to: string) => {
      calls.push(`move ${from} → ${to}`);
      return record(to as SubscriberRecord['status'], { version: 2 });
    },
    findById: async () => null,
  } as unknown as SubscriberRepository;
  const audit = {
    record: async (entry: { _id: string; from: string; to: string }) => {
      calls.push(`audit ${entry.from} → ${entry.to} (${entry._id})`);
    },
    find: async () => (audited ? { subscriberId: 's1', ...audited } : null),
  } as unknown as ConsentAuditRepository;
  const bus = {
    publish: async (_e: unknown, m: { text?: string }, { msgId }: { msgId: string }) => {
      calls.push(`publish ${msgId}${m.text ? ` "${m.text}"` : ''}`);
      return { duplicate: false, seq: 1 };
    },
  } as unknown as Bus;
  const consent = new Consent(subscribers, audit, bus, async () => ({ phoneZones: [], phoneRegion: null }));
  return { calls, consent };
}

const cause = (source: ConsentCause['source'], at = new Date('2026-11-30T10:00:00Z')): ConsentCause => ({
  id: 'sms:SM1',
  source,
  at,
  detail: 'STOP',
});

it('records the audit entry keyed by its cause before it moves the status, so a redelivery finishes the change', async () => {
  const { calls, consent } = setup();
  const after = await consent.change(record('active'), 'opted_out', cause('consent_word'));
  expect(after.status).toBe('opted_out');
  expect(calls).toEqual(['audit active → opted_out (sms:SM1)', 'move active → opted_out']);
});

it('changes nothing for a cause older than the consent it would replace, or one that changes nothing', async () => {
  const { calls, consent } = setup();
  await consent.change(record('active'), 'opted_out', cause('checkout', new Date('2026-10-01T00:00:00Z')));
  await consent.change(record('active'), 'active', cause('checkout'));
  expect(calls).toEqual([]);
});

it('announces the subscriber, then sends the one confirmation the change owes', async () => {
  const { calls, consent } = setup({ to: 'opted_out', source: 'consent_word' });
  await consent.settle(record('opted_out'), shop, cause('consent_word'));
  expect(calls).toEqual(['publish subscriber:s1:1', 'publish auto:opt_out_confirmation:sms:SM1 "bye"']);
});

it('sends an opted-out number nothing but its opt-out confirmation (no HELP text)', async () => {
  const { calls, consent } = setup();
  await consent.settle(record('opted_out'), shop, cause('consent_word'), 'help');
  expect(calls).toEqual(['publish subscriber:s1:1']);
});

it('subscribes a new number as active with its audit entry from nothing', async () => {
  const { calls, consent } = setup();
  const subscriber = await consent.subscribe(
    {
      shop: 'a.myshopify.com',
      phone: '+14155550101',
      firstName: null,
      lastName: null,
      source: 'keyword',
      customerId: null,
      customerUrl: null,
      timezone: null,
      region: null,
    },
    cause('keyword'),
  );
  expect(subscriber.status).toBe('active');
  expect(calls).toEqual(['create active', 'audit none → active (sms:SM1)']);
});
