// A subscriber as the contracts carry it, with its timezone (address, else phone, else shop)
// and its quiet-hours state at a given instant.
import type { subscriberV1 } from '@sms-inbox/contracts';
import { legalWindowFor, quietHoursAt, resolveTimezone } from '@sms-inbox/platform';
import type { ShopSettings } from '../repositories/shop.repository.js';
import type { SubscriberRecord } from '../repositories/subscriber.repository.js';

type QuietHours = ReturnType<typeof quietHoursAt>;

export function toSubscriberMessage(
  record: SubscriberRecord,
  shop: ShopSettings | null,
  at: Date = new Date(),
  /** Quiet hours already worked out at `at`, by timezone and legal window (a batch shares them). */
  known: Map<string, QuietHours> = new Map(),
): subscriberV1.Subscriber {
  const { timezone, source } = resolveTimezone({
    address: record.timezone,
    phone: record.phoneZones ?? [],
    shop: shop?.timezone ?? 'UTC',
  });
  const legal = legalWindowFor({ address: record.region, phone: record.phoneRegion ?? null });
  const key = `${timezone}|${JSON.stringify(legal)}`;
  let quiet = known.get(key);
  if (!quiet) {
    quiet = quietHoursAt({ timezone, legal, shop: shop?.quietHours ?? null, at });
    known.set(key, quiet);
  }
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
    addressTimezone: record.timezone ?? undefined,
    phoneZones: record.phoneZones ?? [],
    region: record.region ?? undefined,
    phoneRegion: record.phoneRegion ?? undefined,
  };
}

/** Subscribers of one shop at one instant: quiet hours are worked out once per timezone and window. */
export function toSubscriberMessages(
  records: SubscriberRecord[],
  shop: ShopSettings | null,
  at: Date = new Date(),
): subscriberV1.Subscriber[] {
  const known = new Map<string, QuietHours>();
  return records.map((r) => toSubscriberMessage(r, shop, at, known));
}
