import type { SubscriberRecord } from '../repositories/subscriber.repository.js';
import { toConsentMessage, toSubscriberMessage } from './subscriber-view.js';

const record: SubscriberRecord = {
  _id: 's1',
  shop: 'a.myshopify.com',
  phone: '+13055550101',
  firstName: 'Grace',
  lastName: 'Hopper',
  source: 'checkout',
  customerId: '7',
  customerUrl: 'https://admin.shopify.com/store/a/customers/7',
  status: 'opted_out',
  timezone: null,
  region: null,
  phoneZones: ['America/New_York'],
  phoneRegion: 'US-FL',
  consentAt: null,
  createdBy: 'sms:SM1',
  version: 3,
  createdAt: new Date(),
  updatedAt: new Date(),
};

it('gives a consent check the subscriber as the full view has it, without timezone or quiet hours', () => {
  const full = toSubscriberMessage(record, null, new Date('2026-11-30T15:00:00Z'));
  const consent = toConsentMessage(record);
  expect(full).toMatchObject({ timezone: 'America/New_York', quietHours: { active: expect.any(Boolean) } });
  expect(consent).toEqual({ ...full, timezone: '', timezoneSource: '', quietHours: undefined });
});
