// Strangers' texts held for a subscription that may follow, against the real store: kept once per
// MessageSid, oldest first, dropped after a day, and never outliving an erasure that ran while they
// were being held.
import { startTestDatabase, type TestDatabase } from '@sms-inbox/devstack';
import { ErasureLog } from '@sms-inbox/mongo';
import { HeldTextRepository, HOLD_MS } from '../src/repositories/held-text.repository.js';

let db: TestDatabase;
let held: HeldTextRepository;

beforeAll(async () => {
  db = await startTestDatabase('held_text_test');
  held = new HeldTextRepository(db.connection, new ErasureLog(db.connection));
  await held.init();
});

afterAll(() => db?.stop());

const text = (shop: string, sid: string, from: string, receivedAt: Date) => ({
  messageSid: sid,
  accountSid: 'AC1',
  shop,
  from,
  to: '+14155550100',
  body: `text ${sid}`,
  media: [{ url: `https://api.twilio.com/Media/${sid}`, contentType: 'image/png' }],
  receivedAt,
});

it('keeps a text once per MessageSid, with its media, oldest first, and drops a shop’s texts held longer than a day', async () => {
  const shop = 'keep.myshopify.com';
  const phone = '+14155550201';
  const t0 = new Date('2026-06-01T12:00:00Z');
  const later = new Date(t0.getTime() + 60_000);
  expect(await held.hold(phone, text(shop, 'SM2', phone, later), later)).toBe(true);
  expect(await held.hold(phone, text(shop, 'SM1', phone, t0), t0)).toBe(true);
  expect(await held.hold(phone, text(shop, 'SM1', phone, t0), later)).toBe(true);
  const kept = await held.of(shop, phone);
  expect(kept.map((t) => t._id)).toEqual(['SM1', 'SM2']);
  expect(kept[0]).toMatchObject({ body: 'text SM1', media: [{ contentType: 'image/png' }] });

  // A day after the first two were held, holding another drops them.
  const dayLater = new Date(later.getTime() + HOLD_MS + 1);
  await held.hold(phone, text(shop, 'SM3', phone, dayLater), dayLater);
  expect((await held.of(shop, phone)).map((t) => t._id)).toEqual(['SM3']);
});

it('drops a text held while its number was being erased, and keeps one that came in after the erasure', async () => {
  const shop = 'erase.myshopify.com';
  const phone = '+14155550202';
  const before = new Date(Date.now() - 1_000);
  // The erasure ran while this text, received before it, was on its way to being held.
  await held.eraseNumber(shop, phone);
  expect(await held.hold(phone, text(shop, 'SM10', phone, before))).toBe(false);
  expect(await held.of(shop, phone)).toEqual([]);
  const after = new Date(Date.now() + 1_000);
  expect(await held.hold(phone, text(shop, 'SM11', phone, after))).toBe(true);
  expect((await held.of(shop, phone)).map((t) => t._id)).toEqual(['SM11']);
  // Another number of the shop is not touched.
  expect(await held.hold('+14155550203', text(shop, 'SM12', '+14155550203', before))).toBe(true);
});

it("drops a text held while its shop was being erased, and erases the shop's held texts", async () => {
  const shop = 'gone.myshopify.com';
  const phone = '+14155550204';
  const before = new Date(Date.now() - 1_000);
  await held.hold(phone, text(shop, 'SM20', phone, before));
  await held.eraseShop(shop);
  expect(await held.of(shop, phone)).toEqual([]);
  expect(await held.hold(phone, text(shop, 'SM21', phone, before))).toBe(false);
  expect(await held.of(shop, phone)).toEqual([]);
});
