// Which shop owns a sending number, asked of the subscriber service (the owner of shop
// settings) and remembered briefly so a burst of webhooks does not ask for each one.
import type { subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import { isAppError } from '@sms-inbox/platform';
import type { NumberOwner, ShopDirectory } from '../domain/ports.js';

export class GrpcShopDirectory implements ShopDirectory {
  private readonly cache = new Map<string, NumberOwner & { expires: number }>();

  constructor(
    private readonly client: subscriberV1.SubscriberServiceClient,
    private readonly ttlMs = 5_000,
  ) {}

  async exists(shop: string): Promise<boolean> {
    try {
      await call(this.client, this.client.getShop, { shop }, 3_000);
      return true;
    } catch (err) {
      if (isAppError(err) && err.kind === 'not_found') return false;
      throw err;
    }
  }

  async shopFor(phoneNumber: string): Promise<NumberOwner | null> {
    const hit = this.cache.get(phoneNumber);
    if (hit && hit.expires > Date.now()) return { shop: hit.shop, asOf: hit.asOf };
    const asOf = new Date();
    try {
      const res = await call(this.client, this.client.findShopByPhoneNumber, { phoneNumber }, 3_000);
      const shop = res.shop!.shop;
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(phoneNumber, { shop, asOf, expires: asOf.getTime() + this.ttlMs });
      return { shop, asOf };
    } catch (err) {
      if (isAppError(err) && err.kind === 'not_found') return null;
      throw err;
    }
  }
}
