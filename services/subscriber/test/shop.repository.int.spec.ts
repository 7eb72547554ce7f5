// A shop's settings against the real store: changes made at once (two dashboards, or a retry
// racing its first attempt) each land over the one before, none lost.
import type { Bus } from '@sms-inbox/bus';
import { startTestDatabase, type TestDatabase } from '@sms-inbox/devstack';
import { ShopRepository } from '../src/repositories/shop.repository.js';
import { ChangeShopSettings } from '../src/usecases/change-shop-settings.usecase.js';

let db: TestDatabase;
let shops: ShopRepository;
const announced: string[] = [];
const bus = {
  publish: async (_event: unknown, _message: unknown, options: { msgId: string }) => {
    announced.push(options.msgId);
  },
} as unknown as Bus;

beforeAll(async () => {
  db = await startTestDatabase('shop_test');
  shops = new ShopRepository(db.connection);
  await shops.init();
});

afterAll(() => db?.stop());

const texts = { optInConfirmation: 'in', help: 'help', optOutConfirmation: 'out' };

it('keeps every one of eight keyword changes made at once, each as its own revision', async () => {
  const shop = 'busy.myshopify.com';
  const change = new ChangeShopSettings(shops, bus);
  const words = ['A1', 'B2', 'C3', 'D4', 'E5', 'F6', 'G7', 'H8'];
  await Promise.all(
    words.map((word) =>
      change.execute(shop, (current) => ({
        phoneNumber: '+14155550700',
        keywords: [...(current?.keywords ?? []), word],
        timezone: 'America/New_York',
        quietHours: null,
        texts,
      })),
    ),
  );
  const stored = await shops.find(shop);
  expect([...(stored?.keywords ?? [])].sort()).toEqual(words);
  expect(stored?.revision).toBe(8);
  expect(announced.filter((id) => id.startsWith(`shop:${shop}:`)).sort()).toEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((r) => `shop:${shop}:${r}`).sort(),
  );
});

it('refuses a number another shop sends from, for a new shop and for a change', async () => {
  const change = new ChangeShopSettings(shops, bus);
  const settings = (phoneNumber: string) => () => ({
    phoneNumber,
    keywords: ['JOIN'],
    timezone: 'UTC',
    quietHours: null,
    texts,
  });
  await change.execute('first.myshopify.com', settings('+14155550801'));
  await change.execute('second.myshopify.com', settings('+14155550802'));
  await expect(change.execute('third.myshopify.com', settings('+14155550801'))).rejects.toMatchObject({
    code: 'phone_number_taken',
  });
  await expect(change.execute('second.myshopify.com', settings('+14155550801'))).rejects.toMatchObject({
    code: 'phone_number_taken',
  });
  expect((await shops.find('second.myshopify.com'))?.phoneNumber).toBe('+14155550802');
  expect(await shops.find('third.myshopify.com')).toBeNull();
});
