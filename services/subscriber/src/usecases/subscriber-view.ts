// A subscriber as the contracts carry it, with its timezone (address, else phone, else shop)
// and its quiet-hours state at a given instant.
import type { subscriberV1 } from '@sms-inbox/contracts';
import { legalWindowFor, quietHoursAt, resolveTimezone } from '../domain/quiet-hours.js';
import type { ShopSettings } from '../repositories/shop.repository.js';
import type { SubscriberRecord } from '../repositories/subscriber.repository.js';

export function toSubscriberMessage(
  record: SubscriberRecord,
  shop: ShopSettings | null,
  at: Date = new Date(),
): subscriberV1.Subscriber {
  const { timezone, source } = resolveTimezone({
    address: record.timezone,
    phone: record.phoneZones ?? [],
    shop: shop?.timezone ?? 'UTC',
  });
  const quiet = quietHoursAt({
    timezone,
    legal: legalWindowFor({ address: record.region, phone: record.phoneRegion ?? null }),
    shop: shop?.quietHours ?? null,
    at,
  });
  return {
    id: record._id,
    shop: record.shop,
    phone: record.phone,
    firstName: record.firstName ?? undefined,
    lastName: record.lastName ?? undefined,
    source: record.source,
    customerUrl: record.customerUrl ?? undefined,
    status: record.status,
    timezone,
    timezoneSource: source,
    quietHours: {
      active: quiet.active,
      endsAt: quiet.endsAt ?? undefined,
      rule: quiet.rule ?? '',
      state: quiet.state ?? '',
    },
  };
}
