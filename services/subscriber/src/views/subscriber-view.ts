// A subscriber as the contracts carry it, with its timezone (address, else phone, else shop)
// and its quiet-hours state at a given instant.
import type { subscriberV1 } from '@sms-inbox/contracts';
import { type QuietHours, subscriberQuietHours } from '@sms-inbox/platform';
import type { ShopSettings } from '../repositories/shop.repository.js';
import type { SubscriberRecord } from '../repositories/subscriber.repository.js';

export function toSubscriberMessage(
  record: SubscriberRecord,
  shop: ShopSettings | null,
  at: Date = new Date(),
  /** Quiet hours already worked out at `at`, by timezone and legal window (a batch shares them). */
  known: Map<string, QuietHours> = new Map(),
): subscriberV1.Subscriber {
  const place = {
    addressTimezone: record.timezone,
    phoneZones: record.phoneZones ?? [],
    region: record.region,
    phoneRegion: record.phoneRegion ?? null,
  };
  const { timezone, timezoneSource, quietHours: quiet } = subscriberQuietHours(place, shop, at, known);
  return {
    ...toConsentMessage(record),
    timezone,
    timezoneSource,
    quietHours: {
      active: quiet.active,
      endsAt: quiet.endsAt ?? undefined,
      rule: quiet.rule ?? '',
      state: quiet.state ?? '',
    },
  };
}

/**
 * The subscriber without what depends on the shop's settings (timezone and quiet hours left
 * empty): what a consent check reads (`GetSubscriber` with `consent_only`).
 */
export function toConsentMessage(record: SubscriberRecord): subscriberV1.Subscriber {
  return {
    id: record._id,
    shop: record.shop,
    phone: record.phone,
    firstName: record.firstName ?? undefined,
    lastName: record.lastName ?? undefined,
    source: record.source,
    customerUrl: record.customerUrl ?? undefined,
    status: record.status,
    timezone: '',
    timezoneSource: '',
    quietHours: undefined,
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
