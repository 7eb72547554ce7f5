// The subscribers of an inbox page, from the conversations' copies of them (kept current by
// SubscriberChanged), with the shop's settings (timezone, quiet hours) from this service's copy
// of them (ApplyShopSettings): a page is read from this service's database alone. Quiet hours are
// worked out at the time of the list by the rules the subscriber service uses itself
// (@sms-inbox/platform's quiet hours). A copy made before it held these fields is asked for the
// old way, so a page is complete whatever its conversations' age; so is a shop's settings the
// copy does not hold yet (then copied).
import type { subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import { isAppError, type QuietHours, subscriberQuietHours } from '@sms-inbox/platform';
import type { ConversationRecord, SubscriberSnapshot } from '../repositories/conversation.repository.js';
import {
  copyOfShop,
  type ShopSettingsCopy,
  type ShopSettingsRepository,
} from '../repositories/shop-settings.repository.js';

/** What the inbox needs of a shop's settings; null for a shop that has none yet (its timezone is then UTC). */
export type InboxShopSettings = Pick<ShopSettingsCopy, 'timezone' | 'quietHours'> | null;

/** The subscriber as the inbox shows it, from a complete copy, at `at`. */
export function subscriberFromSnapshot(
  conversation: Pick<ConversationRecord, 'shop' | 'subscriberId'>,
  snapshot: SubscriberSnapshot & { source: 'keyword' | 'checkout' },
  settings: InboxShopSettings,
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

const noSettings = (shop: string): ShopSettingsCopy => ({
  _id: shop,
  timezone: 'UTC',
  quietHours: null,
  revision: 0,
});

export class InboxSubscribers {
  constructor(
    private readonly subscribers: subscriberV1.SubscriberServiceClient,
    private readonly shopSettings: ShopSettingsRepository,
  ) {}

  /**
   * The shop's settings, from this service's copy; asked for (and copied) when it has none. A shop
   * without settings is copied as the defaults at revision 0 (what null means: UTC, no window of
   * its own), so that it is asked for once too; its first settings are revision 1.
   */
  async settings(shop: string): Promise<InboxShopSettings> {
    const copy = await this.shopSettings.find(shop);
    if (copy) return copy;
    let settings: ShopSettingsCopy;
    try {
      const found = (await call(this.subscribers, this.subscribers.getShop, { shop })).shop;
      settings = found ? copyOfShop(found) : noSettings(shop);
    } catch (err) {
      if (!(isAppError(err) && err.kind === 'not_found')) throw err;
      settings = noSettings(shop);
    }
    // A change that lands meanwhile has a higher revision: whichever copy comes last, it stays.
    await this.shopSettings.apply(settings);
    return settings;
  }

  /** Each conversation's subscriber by subscriber id. */
  async of(
    shop: string,
    conversations: ConversationRecord[],
    settings: InboxShopSettings,
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
        consentOnly: false,
      });
      for (const s of subscribers) views.set(s.id, s);
    }
    return views;
  }
}
