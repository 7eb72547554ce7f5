// The shop's settings the inbox needs, copied from the subscriber service's (which owns them):
// handed over when a change is made (the gateway, before PUT /v1/shop answers), and again by
// ShopChanged, which also repairs a copy the first missed. Idempotent and order-free: the copy
// keeps the highest revision.
import type { subscriberV1 } from '@sms-inbox/contracts';
import { invalid } from '@sms-inbox/platform';
import { copyOfShop, type ShopSettingsRepository } from '../repositories/shop-settings.repository.js';

export class ApplyShopSettings {
  constructor(private readonly copies: ShopSettingsRepository) {}

  async execute(shop: subscriberV1.Shop | undefined): Promise<void> {
    if (!shop?.shop) throw invalid('missing_shop', 'shop is required');
    await this.copies.apply(copyOfShop(shop));
  }
}
