// A change of a shop's settings: stored as the next revision, then announced (ShopChanged) so
// that the copies other services keep follow it (the conversation service's, for the inbox's
// quiet hours). Two changes at once never lose one: each is made over the settings it read and
// stored only if they are still the stored ones (compare-and-set), else read again and made again.
import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import { unavailable } from '@sms-inbox/platform';
import { type ShopSettingsInput, validateShopSettings } from '../domain/shop-settings.js';
import type { ShopRepository, ShopSettings } from '../repositories/shop.repository.js';
import { toShopMessage } from '../views/shop-view.js';

/** Changes that keep losing the race this many times in a row give up (the caller retries). */
const MAX_ATTEMPTS = 10;

export class ChangeShopSettings {
  constructor(
    private readonly shops: ShopRepository,
    private readonly bus: Bus,
  ) {}

  /** The settings `change` makes of the current ones (null: the shop has none), validated. */
  async execute(
    shop: string,
    change: (current: ShopSettings | null) => ShopSettingsInput,
  ): Promise<ShopSettings> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.shops.find(shop);
      const next = validateShopSettings(change(current));
      const saved = await this.shops.saveOver({ _id: shop, ...next, updatedAt: new Date() }, current);
      if (saved) {
        await this.announce(saved);
        return saved;
      }
    }
    throw unavailable('shop_busy', "the shop's settings are being changed by someone else: try again");
  }

  /** Publishes the settings; the id includes the revision, so a repeat is dropped. */
  async announce(settings: ShopSettings): Promise<void> {
    await this.bus.publish(
      Events.shopChanged,
      { shop: toShopMessage(settings), changedAt: settings.updatedAt },
      { msgId: `shop:${settings._id}:${settings.revision ?? 0}` },
    );
  }
}
