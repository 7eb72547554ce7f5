// The ledger's statuses, outbox, look-up schedule and the reconciliation's lease against the real
// store: concurrent reports end at the highest-ranked status, an outbox is only emptied for the
// status that was published, of two replicas one holds the lease, and a shop's erasure takes all
// of its ledger.
import { startTestDatabase, type TestDatabase } from '@sms-inbox/devstack';
import { LeaseRepository } from '../src/repositories/lease.repository.js';
import { OutboundRepository, type StatusReport } from '../src/repositories/outbound.repository.js';

let db: TestDatabase;
let ledger: OutboundRepository;
let leases: LeaseRepository;
let n = 0;

beforeAll(async () => {
  db = await startTestDatabase('ledger_test');
  ledger = new OutboundRepository(db.connection);
  await ledger.init();
  leases = new LeaseRepository(db.connection);
});

afterAll(() => db?.stop());

async function accepted(checkAt: Date | null = null, conversationId = 'c1'): Promise<string> {
  n += 1;
  const id = `m${n}`;
  await ledger.claim({
    _id: id,
    shop: 'ledger.myshopify.com',
    conversationId,
    subscriberId: 's1',
    to: '+14155550101',
    from: '+14155550100',
    state: 'accepted',
    providerSid: `SM${String(n).padStart(32, '0')}`,
    errorCode: null,
    uncertain: false,
    attempts: 1,
    calledAt: new Date(),
    checkAt,
  });
  return id;
}

const report = (status: StatusReport['status'], errorCode: number | null = null): StatusReport => ({
  status,
  providerSid: 'SMx',
  errorCode,
  at: new Date(),
});

it('ends at the highest-ranked status whatever order concurrent reports land in, and stops the look-ups', async () => {
  for (let round = 0; round < 5; round++) {
    const id = await accepted(new Date());
    await Promise.all(
      (['sent', 'queued', 'undelivered', 'sent', 'queued'] as const).map((s) =>
        ledger.recordStatus(id, report(s, s === 'undelivered' ? 30003 : null)),
      ),
    );
    expect(await ledger.find(id)).toMatchObject({
      status: 'undelivered',
      errorCode: 30003,
      outbox: { status: 'undelivered', errorCode: 30003 },
      checkAt: null,
    });
  }
});

it('schedules no look-up for a message whose final status came before its accept was recorded', async () => {
  const id = await accepted(null);
  await ledger.recordStatus(id, report('delivered'));
  // The accept, recorded after the callback: its look-up time must not stay on a final message.
  await ledger.recordStatus(id, report('queued'), { state: 'accepted', checkAt: new Date() });
  expect(await ledger.find(id)).toMatchObject({ status: 'delivered', checkAt: null });
});

it('never moves a final status, and a stale report leaves the outbox as it was', async () => {
  const id = await accepted();
  await ledger.recordStatus(id, report('delivered'));
  await ledger.clearOutbox(id, 'delivered');
  const stale = await ledger.recordStatus(id, report('sent'));
  expect(stale?.moved).toBe(false);
  expect(await ledger.find(id)).toMatchObject({ status: 'delivered', outbox: null, outboxSince: null });
});

it('empties the outbox only for the status that was published', async () => {
  const id = await accepted();
  await ledger.recordStatus(id, report('sent'));
  await ledger.recordStatus(id, report('delivered'));
  await ledger.clearOutbox(id, 'sent'); // the publish of `sent` finishing late
  expect((await ledger.find(id))?.outbox?.status).toBe('delivered');
  expect((await ledger.pendingOutboxes(new Date(), 1_000)).map((r) => r._id)).toContain(id);
  await ledger.clearOutbox(id, 'delivered');
  expect((await ledger.pendingOutboxes(new Date(), 1_000)).map((r) => r._id)).not.toContain(id);
});

it('fills no outbox for the accept (the conversation queued the message itself), writes no `sent` after it, and fills one for a final status', async () => {
  const id = await accepted(null);
  const queued = await ledger.recordStatus(id, report('queued'), { state: 'accepted' });
  expect(queued).toMatchObject({ moved: true, record: { status: 'queued', outbox: null } });
  expect(await ledger.find(id)).toMatchObject({ status: 'queued', outbox: null, outboxSince: null });
  const before = (await ledger.find(id))!.updatedAt;
  // A step on the way: the caller publishes it (moved), the ledger keeps what it held.
  const sent = await ledger.recordStatus(id, report('sent'));
  expect(sent).toMatchObject({ moved: true, record: { status: 'queued', outbox: null } });
  expect(await ledger.find(id)).toMatchObject({ status: 'queued', outbox: null, updatedAt: before });
  // …unless it brings more to keep (an error code, a price).
  await ledger.recordStatus(id, { ...report('sent'), price: '-0.00790', priceUnit: 'USD' });
  expect(await ledger.find(id)).toMatchObject({ status: 'sent', price: '-0.00790', outbox: null });
  await ledger.recordStatus(id, report('delivered'));
  expect(await ledger.find(id)).toMatchObject({ status: 'delivered', outbox: { status: 'delivered' } });
});

it('finds a message by its provider sid once its accept is recorded, and none before', async () => {
  const id = await accepted(null);
  await ledger.update(id, { state: 'calling', providerSid: null });
  const sid = `SMlate${id}`;
  expect(await ledger.findByProviderSid(sid)).toBeNull(); // a callback this early is retried
  await ledger.recordStatus(
    id,
    { ...report('queued'), providerSid: sid },
    { state: 'accepted', providerSid: sid },
  );
  expect(await ledger.findByProviderSid(sid)).toMatchObject({ _id: id, state: 'accepted', status: 'queued' });
});

it('fills no outbox for an automatic text, which belongs to no conversation', async () => {
  const id = await accepted(null, '');
  await ledger.recordStatus(id, report('delivered'));
  expect(await ledger.find(id)).toMatchObject({ status: 'delivered', outbox: null });
});

it('gives the look-ups that are due, oldest first, and none rescheduled after a final status', async () => {
  const now = Date.now();
  const later = await accepted(new Date(now - 1_000));
  const earlier = await accepted(new Date(now - 2_000));
  const notYet = await accepted(new Date(now + 60_000));
  const never = await accepted(null);
  const due = (await ledger.dueForCheck(new Date(now), 1_000)).map((r) => r._id);
  expect(due.filter((id) => [later, earlier, notYet, never].includes(id))).toEqual([earlier, later]);
  // Only messages with a look-up time count (MongoDB compares a date with dates only).
  expect(await ledger.countDueForCheck(new Date(now))).toBe(due.length);
  expect(due).not.toContain(never);
  await ledger.recordStatus(earlier, report('delivered'));
  await ledger.scheduleCheck(earlier, new Date(now), 1); // a pass that read it before the final status
  expect((await ledger.find(earlier))?.checkAt).toBeNull();
});

it('lets one of two replicas hold the lease until it is released or expires', async () => {
  const taken = await Promise.all([
    leases.acquire('job', 'replica-a', 60_000),
    leases.acquire('job', 'replica-b', 60_000),
  ]);
  expect(taken.filter(Boolean)).toHaveLength(1);
  const [holder, other] = taken[0] ? ['replica-a', 'replica-b'] : ['replica-b', 'replica-a'];
  expect(await leases.acquire('job', holder, 60_000)).toBe(true); // renewed
  expect(await leases.acquire('job', other, 60_000)).toBe(false);
  await leases.release('job', holder);
  expect(await leases.acquire('job', other, 50)).toBe(true);
  await new Promise((r) => setTimeout(r, 100));
  expect(await leases.acquire('job', holder, 60_000)).toBe(true); // the other's expired
});

it("erases a shop's ledger and its stored provider-sid links, more than one chunk of them, and no other shop's", async () => {
  const entry = (shop: string, i: number) => ({
    _id: `${shop}:m${i}`,
    shop,
    conversationId: 'c1',
    subscriberId: 's1',
    to: '+14155550101',
    from: '+14155550100',
    state: 'accepted',
    providerSid: `SM-${shop}-${i}`,
    errorCode: null,
    uncertain: false,
    attempts: 1,
    calledAt: new Date(),
    updatedAt: new Date(),
  });
  const outbound = db.connection.db!.collection('outbound');
  const links = db.connection.db!.collection('provider_sids');
  for (const shop of ['erased.myshopify.com', 'kept.myshopify.com']) {
    const entries = Array.from({ length: 2_100 }, (_, i) => entry(shop, i));
    await outbound.insertMany(entries as never[]);
    await links.insertMany(entries.map((e) => ({ _id: e.providerSid, messageId: e._id })) as never[]);
  }
  await ledger.eraseShop('erased.myshopify.com');
  await expect(outbound.countDocuments({ shop: 'erased.myshopify.com' })).resolves.toBe(0);
  await expect(links.countDocuments({ messageId: /^erased/ })).resolves.toBe(0);
  await expect(outbound.countDocuments({ shop: 'kept.myshopify.com' })).resolves.toBe(2_100);
  await expect(links.countDocuments({ messageId: /^kept/ })).resolves.toBe(2_100);
});
