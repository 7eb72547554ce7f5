// A shop's settings as the contracts carry them.
import type { subscriberV1 } from '@sms-inbox/contracts';
import type { ShopSettings } from '../repositories/shop.repository.js';

export const toShopMessage = (s: ShopSettings): subscriberV1.Shop => ({
  shop: s._id,
  phoneNumber: s.phoneNumber,
  keywords: s.keywords,
  timezone: s.timezone,
  quietHours: s.quietHours ?? undefined,
  texts: s.texts,
  revision: s.revision ?? 0,
});
