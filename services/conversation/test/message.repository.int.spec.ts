// Delivery statuses reaching a message against the real store: each report is one conditional
// write (no read first), so whatever order and concurrency the reports land in, the message ends
// at the highest-ranked status, and a report it outranks changes nothing. And inserts made at
// once, which go to the store as one command: each still answers for its own message.
import { startTestDatabase, type TestDatabase } from '@sms-inbox/devstack';
import { type OutboundStatus, statusesBelow } from '@sms-inbox/platform';
import { type MessageRecord, MessageRepository } from '../src/repositories/message.repository.js';

let db: TestDatabase;
let messages: MessageRepository;
let n = 0;

beforeAll(async () => {
  db = await startTestDatabase('messages_test');
  messages = new MessageRepository(db.connection);
  await messages.init();
});

afterAll(() => db?.stop());

const shop = 'moves.myshopify.com';

function draft(fields: Partial<MessageRecord> = {}): MessageRecord {
  n += 1;
  const id = `m${String(n).padStart(23, '0')}`;
  return {
    _id: id,
    shop,
    conversationId: 'c1',
    dedupeKey: `out:${id}`,
    direction: 'outbound',
    text: 'on its way',
    mediaUrls: [],
    discountCode: null,
    status: 'queued',
    createdAt: new Date(),
    recordedAt: new Date(),
    scheduledFor: null,
    sentAt: null,
    quietHoursOverride: false,
    ...fields,
  };
}

async function stored(fields: Partial<MessageRecord> = {}): Promise<string> {
  const message = draft(fields);
  await messages.insertOnce(message);
  return message._id;
}

const report = (id: string, status: Exclude<OutboundStatus, 'sending'>) =>
  messages.moveFrom(shop, id, statusesBelow(status), { status });

it('ends at the highest-ranked status whatever order concurrent reports land in, each rank moving it once', async () => {
  for (let round = 0; round < 5; round++) {
    const id = await stored();
    const statuses = ['sent', 'delivered', 'sent', 'queued', 'delivered', 'sent'] as const;
    const moved = await Promise.all(statuses.map((s) => report(id, s)));
    expect((await messages.findById(shop, id))?.status).toBe('delivered');
    expect(moved.filter((m) => m?.status === 'delivered')).toHaveLength(1);
    expect(moved.filter((m) => m?.status === 'sent').length).toBeLessThanOrEqual(1);
    expect(moved.filter((m) => m?.status === 'queued')).toHaveLength(0);
  }
});

it('answers the message as moved, and null for a report it outranks or from another shop', async () => {
  const id = await stored({ status: 'sent', sentAt: new Date('2026-11-30T10:00:00Z') });
  const moved = await messages.moveFrom(shop, id, statusesBelow('undelivered'), {
    status: 'undelivered',
    errorCode: 30003,
  });
  expect(moved).toMatchObject({ _id: id, status: 'undelivered', errorCode: 30003, text: 'on its way' });
  expect(await report(id, 'delivered')).toBeNull(); // the first final status stays
  const other = await stored();
  expect(
    await messages.moveFrom('other.myshopify.com', other, statusesBelow('sent'), { status: 'sent' }),
  ).toBeNull();
});

it('never moves an inbound message', async () => {
  const id = await stored({ direction: 'inbound', status: 'received' });
  expect(await report(id, 'delivered')).toBeNull();
  expect((await messages.findById(shop, id))?.status).toBe('received');
});

it('sets the send time of a final status only where `sent` asks it to be: stored, or missing', async () => {
  const sentAt = new Date('2026-11-30T10:00:00Z');
  const at = new Date('2026-11-30T10:05:00Z');
  const without = await stored();
  expect(
    await messages.moveFrom(shop, without, statusesBelow('delivered'), { status: 'delivered' }, 'stored'),
  ).toBeNull();
  expect(
    await messages.moveFrom(
      shop,
      without,
      statusesBelow('delivered'),
      { status: 'delivered', sentAt: at },
      'missing',
    ),
  ).toMatchObject({ status: 'delivered', sentAt: at });
  const withTime = await stored({ status: 'sent', sentAt });
  expect(
    await messages.moveFrom(shop, withTime, statusesBelow('delivered'), { status: 'delivered' }, 'stored'),
  ).toMatchObject({ status: 'delivered', sentAt });
});

it('stores one message of concurrent inserts of it, and each other insert of the same moment for itself', async () => {
  const repeated = draft();
  const others = [draft(), draft(), draft()];
  const earlier = await stored();
  const results = await Promise.all([
    ...[1, 2, 3, 4].map(() => messages.insertIfNew(repeated)),
    ...others.map((m) => messages.insertIfNew(m)),
    messages.insertIfNew({ ...draft(), _id: earlier }),
  ]);
  expect(results.slice(0, 4).filter(Boolean)).toHaveLength(1);
  expect(results.slice(4)).toEqual([true, true, true, false]);
  for (const m of [repeated, ...others]) expect((await messages.findById(shop, m._id))?.text).toBe(m.text);
  expect((await messages.findById(shop, earlier))?.dedupeKey).toBe(`out:${earlier}`);
});
