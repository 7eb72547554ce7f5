import type { subscriberV1 } from '@sms-inbox/contracts';
import type { ShopSettingsCopy, ShopSettingsRepository } from '../repositories/shop-settings.repository.js';
import { InboxSubscribers } from './inbox-subscribers.js';

/** What the subscriber service answers for a shop without settings (gRPC NOT_FOUND, with our error's code and kind). */
const notFound = Object.assign(new Error('this shop has no settings yet'), {
  code: 5,
  details: 'this shop has no settings yet',
  metadata: {
    get: (key: string) =>
      ({ 'app-error-code': ['shop_not_found'], 'app-error-kind': ['not_found'] })[key] ?? [],
  },
});

/** A copy store and a subscriber service that knows `known` (shop → settings). */
function setup(known: Record<string, Partial<subscriberV1.Shop>>) {
  const asked: string[] = [];
  const copies = new Map<string, ShopSettingsCopy>();
  const store = {
    find: async (shop: string) => copies.get(shop) ?? null,
    apply: async (copy: ShopSettingsCopy) => {
      const held = copies.get(copy._id);
      if (held && held.revision >= copy.revision) return false;
      copies.set(copy._id, copy);
      return true;
    },
  } as unknown as ShopSettingsRepository;
  const client = {
    getShop: (
      req: { shop: string },
      _metadata: unknown,
      _options: unknown,
      done: (err: unknown, res?: subscriberV1.GetShopResponse) => void,
    ) => {
      asked.push(req.shop);
      const shop = known[req.shop];
      if (shop) done(null, { shop: { shop: req.shop, ...shop } as subscriberV1.Shop });
      else done(notFound);
    },
  } as unknown as subscriberV1.SubscriberServiceClient;
  return { inbox: new InboxSubscribers(client, store), asked, copies };
}

const window = { start: '21:30', end: '09:00' };

it("reads the shop's settings from its copy, asking the subscriber service only for a shop it does not hold", async () => {
  const { inbox, asked } = setup({
    'a.myshopify.com': { timezone: 'America/Chicago', quietHours: window, revision: 3 },
  });
  for (let i = 0; i < 3; i++) {
    expect(await inbox.settings('a.myshopify.com')).toMatchObject({
      timezone: 'America/Chicago',
      quietHours: window,
    });
  }
  expect(asked).toEqual(['a.myshopify.com']);
});

it('asks once for a shop without settings too (copied as the defaults at revision 0, below its first settings)', async () => {
  const { inbox, asked, copies } = setup({});
  expect(await inbox.settings('new.myshopify.com')).toMatchObject({ timezone: 'UTC', quietHours: null });
  expect(await inbox.settings('new.myshopify.com')).toMatchObject({ timezone: 'UTC', quietHours: null });
  expect(asked).toEqual(['new.myshopify.com']);
  expect(copies.get('new.myshopify.com')?.revision).toBe(0);
});
