// The release documents against the real store: schedules and cancels in any order and any
// number of times, and batch claims that give each due reply to one claimer.
import { startTestDatabase, type TestDatabase } from '@sms-inbox/devstack';
import { type NewRelease, ReleaseRepository } from '../src/repositories/release.repository.js';

let db: TestDatabase;
let releases: ReleaseRepository;
let n = 0;

beforeAll(async () => {
  db = await startTestDatabase('release_test');
  releases = new ReleaseRepository(db.connection);
  await releases.init();
});

afterAll(() => db?.stop());

/** A reply of its own shop, so that each test sees only its own due replies. */
function reply(shop: string, dueAt: Date): NewRelease {
  n += 1;
  return { _id: `m${n}-${shop}`, shop, conversationId: `c${n}`, subscriberId: `s${n}`, dueAt };
}

const past = () => new Date(Date.now() - 1_000);

it('stores a reply once however often its request comes, and a cancel before it wins', async () => {
  const r = reply('once.myshopify.com', new Date(Date.now() + 60_000));
  await Promise.all([releases.schedule(r), releases.schedule(r), releases.schedule(r)]);
  expect(await releases.find(r._id)).toMatchObject({ state: 'waiting', dueAt: r.dueAt });

  const early = reply('once.myshopify.com', past());
  expect(await releases.cancel(early._id, early.shop)).toBe(true);
  await releases.schedule(early);
  expect((await releases.find(early._id))?.state).toBe('canceled');
  expect(await releases.cancel(early._id, early.shop)).toBe(false);
});

it('claims each due reply for one of two claimers at once, and none not yet due', async () => {
  const shop = 'claims.myshopify.com';
  const due = Array.from({ length: 120 }, () => reply(shop, past()));
  const later = reply(shop, new Date(Date.now() + 60_000));
  for (const r of [...due, later]) await releases.schedule(r);

  const claimed: string[] = [];
  await Promise.all(
    [0, 1].map(async () => {
      for (;;) {
        const batch = await releases.claimDue(25, 30_000);
        if (batch.releases.length === 0) return;
        claimed.push(...batch.releases.map((r) => r._id));
        await releases.markReleased(
          batch,
          batch.releases.map((r) => r._id),
        );
      }
    }),
  );
  const ours = claimed.filter((id) => id.endsWith(shop));
  expect(ours.sort()).toEqual(due.map((r) => r._id).sort());
  expect((await releases.find(later._id))?.state).toBe('waiting');
  expect((await releases.find(due[0]!._id))?.state).toBe('released');
});

it('lets only the holder of a batch release or move it, and a lapsed lease be claimed again', async () => {
  const r = reply('leases.myshopify.com', past());
  await releases.schedule(r);
  const first = await releases.claimDue(500, 200);
  expect(first.releases.map((x) => x._id)).toContain(r._id);
  // Held: nobody else gets it, and a stranger's mark changes nothing.
  expect((await releases.claimDue(500, 200)).releases.map((x) => x._id)).not.toContain(r._id);
  await releases.markReleased({ owner: 'someone else', releases: [] }, [r._id]);
  expect((await releases.find(r._id))?.state).toBe('waiting');
  // The holder died: once its lease lapses, another claims it.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const second = await releases.claimDue(500, 30_000);
  expect(second.releases.map((x) => x._id)).toContain(r._id);
  await releases.markReleased(first, [r._id]);
  expect((await releases.find(r._id))?.state).toBe('waiting');
  await releases.moveTo(second, r._id, new Date(Date.now() + 60_000));
  expect((await releases.claimDue(500, 30_000)).releases.map((x) => x._id)).not.toContain(r._id);
});
