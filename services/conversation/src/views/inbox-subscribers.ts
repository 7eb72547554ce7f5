// The subscribers of an inbox page, from the conversations' copies of them (kept current by
// SubscriberChanged): the subscriber service is asked for the shop's settings (timezone, quiet
// hours), one small read, instead of for every subscriber on the page. Quiet hours are worked
// out at the time of the list by the rules the subscriber service uses itself
// (@sms-inbox/platform's quiet hours). A copy made before it held these fields is asked for the
// old way, so a page is complete whatever its conversations' age.
import type { subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import { isAppError, type QuietHours, subscriberQuietHours } from '@sms-inbox/platform';
import type { ConversationRecord, SubscriberSnapshot } from '../repositories/conversation.repository.js';

/** The subscriber as the inbox shows it, from a complete copy, at `at`. */
export function subscriberFromSnapshot(
  conversation: Pick<ConversationRecord, 'shop' | 'subscriberId'>,
  snapshot: SubscriberSnapshot & { source: 'keyword' | 'checkout' },
  settings: subscriberV1.Shop | null,
  at: Date,
  /** Quiet hours already worked out at `at`, by timezone and legal window (a page shares them). */
  known: Map<string, QuietHours> = new Map(),
): subscriberV1.Subscriber {
  const {
    timezone,
    timezoneSource,
    quietHours: quiet,
  } = subscriberQuietHours(
    {
      addressTimezone: snapshot.addressTimezone ?? null,
      phoneZones: snapshot.phoneZones ?? [],
      region: snapshot.region ?? null,
      phoneRegion: snapshot.phoneRegion ?? null,
    },
    settings,
    at,
    known,
  );
  return {
    id: conversation.subscriberId,
    shop: conversation.shop,
    phone: snapshot.phone,
    firstName: snapshot.firstName ?? undefined,
    lastName: snapshot.lastName ?? undefined,
    source: snapshot.source,
    customerUrl: snapshot.customerUrl ?? undefined,
    status: snapshot.status,
    timezone,
    timezoneSource,
    quietHours: {
      active: quiet.active,
      endsAt: quiet.endsAt ?? undefined,
      rule: quiet.rule ?? '',
      state: quiet.state ?? '',
    },
    addressTimezone: snapshot.addressTimezone ?? undefined,
    phoneZones: snapshot.phoneZones ?? [],
    region: snapshot.region ?? undefined,
    phoneRegion: snapshot.phoneRegion ?? undefined,
  };
}

const isComplete = (s: SubscriberSnapshot): s is SubscriberSnapshot & { source: 'keyword' | 'checkout' } =>
  s.source !== undefined;

export class InboxSubscribers {
  constructor(private readonly subscribers: subscriberV1.SubscriberServiceClient) {}

  /** The shop's settings; null for a shop that has none yet (the shop's timezone is then UTC). */
  async settings(shop: string): Promise<subscriberV1.Shop | null> {
    try {
      const { shop: settings } = await call(this.subscribers, this.subscribers.getShop, { shop });
      return settings ?? null;
    } catch (err) {
      if (isAppError(err) && err.kind === 'not_found') return null;
      throw err;
    }
  }

  /** Each conversation's subscriber by subscriber id. */
  async of(
    shop: string,
    conversations: ConversationRecord[],
    settings: subscriberV1.Shop | null,
    at: Date = new Date(),
  ): Promise<Map<string, subscriberV1.Subscriber>> {
    const views = new Map<string, subscriberV1.Subscriber>();
    const known = new Map<string, QuietHours>();
    const missing: string[] = [];
    for (const c of conversations) {
      if (isComplete(c.subscriber))
        views.set(c.subscriberId, subscriberFromSnapshot(c, c.subscriber, settings, at, known));
      else missing.push(c.subscriberId);
    }
    if (missing.length) {
      const { subscribers } = await call(this.subscribers, this.subscribers.batchGetSubscribers, {
        shop,
        ids: missing,
      });
      for (const s of subscribers) views.set(s.id, s);
    }
    return views;
  }
}
