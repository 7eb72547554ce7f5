// The copy of the shops' settings against the real store: whatever order and however often the
// change (ApplyShopSettings) and its event (ShopChanged) bring revisions, the highest stays.
import { startTestDatabase, type TestDatabase } from '@sms-inbox/devstack';
import { register } from 'prom-client';
import {
  type ShopSettingsCopy,
  ShopSettingsRepository,
} from '../src/repositories/shop-settings.repository.js';

let db: TestDatabase;
let copies: ShopSettingsRepository;

beforeAll(async () => {
  db = await startTestDatabase('shop_settings_test');
  copies = new ShopSettingsRepository(db.connection);
});

afterAll(() => db?.stop());

const copy = (shop: string, revision: number): ShopSettingsCopy => ({
  _id: shop,
  timezone: 'America/Chicago',
  quietHours: { start: `${String(revision).padStart(2, '0')}:00`, end: '09:00' },
  revision,
});

it('keeps the highest revision, whatever order the revisions arrive in, at once and twice', async () => {
  const shop = 'order.myshopify.com';
  const revisions = [3, 1, 7, 2, 7, 5, 4, 6, 1, 3];
  const applied = await Promise.all(revisions.map((r) => copies.apply(copy(shop, r))));
  expect(await copies.find(shop)).toEqual(copy(shop, 7));
  expect(applied.filter(Boolean).length).toBeGreaterThanOrEqual(1);
  // Later, older and equal revisions change nothing; a newer one does.
  expect(await copies.apply(copy(shop, 6))).toBe(false);
  expect(await copies.apply(copy(shop, 7))).toBe(false);
  expect(await copies.apply(copy(shop, 8))).toBe(true);
  expect(await copies.find(shop)).toEqual(copy(shop, 8));
});

it("keeps each shop's copy to itself, and forgets an erased shop's", async () => {
  await copies.apply(copy('one.myshopify.com', 1));
  await copies.apply({ ...copy('two.myshopify.com', 1), quietHours: null });
  await copies.delete('one.myshopify.com');
  expect(await copies.find('one.myshopify.com')).toBeNull();
  expect(await copies.find('two.myshopify.com')).toMatchObject({ quietHours: null, revision: 1 });
});

it('is timed command by command for /metrics, by name and collection, heartbeats left out', async () => {
  const count = async (command: string, collection: string) =>
    (await register.getSingleMetric('sms_inbox_db_command_duration_seconds')!.get()).values.find(
      (v) =>
        (v as { metricName?: string }).metricName?.endsWith('_count') &&
        v.labels.command === command &&
        v.labels.collection === collection,
    )?.value ?? 0;
  const before = await count('find', 'shop_settings');
  await copies.find('timed.myshopify.com');
  await copies.find('timed.myshopify.com');
  expect(await count('find', 'shop_settings')).toBe(before + 2);
  expect(await count('update', 'shop_settings')).toBeGreaterThan(0);
  expect(await count('hello', '')).toBe(0);
});
