import type { Bus } from '@sms-inbox/bus';
import type { ShopSettingsInput } from '../domain/shop-settings.js';
import type { ShopRepository, ShopSettings } from '../repositories/shop.repository.js';
import { ChangeShopSettings } from './change-shop-settings.usecase.js';

const SHOP = 'a.myshopify.com';
const input = (quiet: string | null): ShopSettingsInput => ({
  phoneNumber: '+14155550100',
  keywords: ['JOIN'],
  timezone: 'America/New_York',
  quietHours: quiet ? { start: quiet, end: '09:00' } : null,
  texts: { optInConfirmation: 'in', help: 'help', optOutConfirmation: 'out' },
});

/** A store holding `stored`; `interleave` runs once just before the next save, as another writer. */
function setup(stored: ShopSettings | null) {
  const calls: string[] = [];
  let current = stored;
  let interleave: (() => void) | null = null;
  const shops = {
    find: async () => current,
    saveOver: async (settings: Omit<ShopSettings, 'revision'>, read: ShopSettings | null) => {
      interleave?.();
      interleave = null;
      if ((current?.revision ?? null) !== (read?.revision ?? null)) {
        calls.push('save lost');
        return null;
      }
      current = { ...settings, revision: (read?.revision ?? 0) + 1 };
      calls.push(`saved revision ${current.revision}`);
      return current;
    },
  } as unknown as ShopRepository;
  const bus = {
    publish: async (_event: unknown, e: { shop: { revision: number } }, o: { msgId: string }) => {
      calls.push(`announced ${o.msgId} (revision ${e.shop.revision})`);
    },
  } as unknown as Bus;
  return {
    change: new ChangeShopSettings(shops, bus),
    calls,
    stored: () => current,
    otherWriterFirst(settings: ShopSettings) {
      interleave = () => {
        current = settings;
      };
    },
  };
}

const saved = (revision: number, quiet: string | null): ShopSettings => ({
  _id: SHOP,
  ...input(quiet),
  updatedAt: new Date(),
  revision,
});

it('stores a change as the next revision, then announces it with that revision', async () => {
  const { change, calls } = setup(saved(4, null));
  const out = await change.execute(SHOP, () => input('22:00'));
  expect(out.revision).toBe(5);
  expect(calls).toEqual(['saved revision 5', `announced shop:${SHOP}:5 (revision 5)`]);
});

it('makes a change again over one that landed between its read and its save (none is lost)', async () => {
  const { change, calls, otherWriterFirst, stored } = setup(saved(1, null));
  otherWriterFirst(saved(2, '22:00'));
  // The change keeps what it read and sets only the keywords, as PUT /v1/shop does.
  const out = await change.execute(SHOP, (current) => ({ ...input(null), ...current, keywords: ['HI'] }));
  expect(calls).toEqual(['save lost', 'saved revision 3', `announced shop:${SHOP}:3 (revision 3)`]);
  expect(out).toMatchObject({ revision: 3, keywords: ['HI'], quietHours: { start: '22:00' } });
  expect(stored()).toBe(out);
});

it('counts settings stored before revisions as revision 0, and a first save as 1', async () => {
  const old = saved(0, null);
  delete old.revision;
  expect((await setup(old).change.execute(SHOP, () => input(null))).revision).toBe(1);
  expect((await setup(null).change.execute(SHOP, () => input(null))).revision).toBe(1);
});

it('refuses invalid settings before storing anything', async () => {
  const { change, calls } = setup(null);
  await expect(change.execute(SHOP, () => ({ ...input(null), phoneNumber: '555' }))).rejects.toMatchObject({
    code: 'invalid_phone_number',
  });
  expect(calls).toEqual([]);
});
