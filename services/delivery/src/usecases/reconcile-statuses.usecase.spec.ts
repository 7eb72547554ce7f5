import { createLogger, type OutboundStatus } from '@sms-inbox/platform';
import type { ProviderMessage, SmsProvider } from '../domain/ports.js';
import type {
  OutboundRecord,
  OutboundRepository,
  StatusReport,
} from '../repositories/outbound.repository.js';
import { ReconcileStatuses } from './reconcile-statuses.usecase.js';
import type { ReportStatus } from './report-status.usecase.js';

const logger = createLogger('reconcile-spec', 'silent');
const MINUTE = 60_000;

const entry = (id: string, fields: Partial<OutboundRecord> = {}): OutboundRecord => ({
  _id: id,
  shop: 'spec.myshopify.com',
  conversationId: 'c1',
  subscriberId: 's1',
  to: '+14155550101',
  from: '+14155550100',
  state: 'accepted',
  providerSid: `SM-${id}`,
  errorCode: null,
  uncertain: false,
  attempts: 1,
  calledAt: new Date(Date.now() - 15 * MINUTE),
  updatedAt: new Date(),
  status: 'queued',
  checkAt: new Date(Date.now() - 1_000),
  checks: 0,
  ...fields,
});

function run(due: OutboundRecord[], answers: Record<string, ProviderMessage | null | Error>) {
  const calls: string[] = [];
  const ledger = {
    dueForCheck: async () => due,
    countDueForCheck: async () => due.length,
    recordStatus: async (id: string, report: StatusReport) => {
      calls.push(`record ${id} ${report.status} ${report.errorCode ?? ''} ${report.price ?? ''}`);
      const before = due.find((e) => e._id === id)!;
      const status: OutboundStatus = report.status;
      return { record: { ...before, status, checkAt: null }, moved: before.status !== status };
    },
    scheduleCheck: async (id: string, checkAt: Date | null, checks: number) => {
      const inMinutes = checkAt ? Math.round((checkAt.getTime() - Date.now()) / MINUTE) : null;
      calls.push(`next ${id} ${inMinutes === null ? 'never' : `in ${inMinutes} min`} after ${checks}`);
    },
  } as unknown as OutboundRepository;
  const provider = {
    fetchStatus: async (sid: string) => {
      calls.push(`fetch ${sid}`);
      const answer = answers[sid];
      if (answer instanceof Error) throw answer;
      return answer ?? null;
    },
  } as unknown as SmsProvider;
  const report = {
    report: async (record: OutboundRecord) => {
      calls.push(`flush ${record._id} ${record.status}`);
    },
  } as unknown as ReportStatus;
  const reconcile = new ReconcileStatuses(
    ledger,
    provider,
    report,
    { batch: 10, ratePerSecond: 1_000, afterMs: 10 * MINUTE, capMs: 60 * MINUTE, maxAgeMs: 24 * 60 * MINUTE },
    logger,
  );
  return { calls, reconcile };
}

const found = (status: string, fields: Partial<ProviderMessage> = {}): ProviderMessage => ({
  status,
  errorCode: null,
  price: '-0.00790',
  priceUnit: 'USD',
  ...fields,
});

it('records a final status found at the provider and reports it, with no further look-up', async () => {
  const { calls, reconcile } = run([entry('a')], { 'SM-a': found('undelivered', { errorCode: 30003 }) });
  expect(await reconcile.runOnce()).toBe(1);
  expect(calls).toEqual(['fetch SM-a', 'record a undelivered 30003 -0.00790', 'flush a undelivered']);
});

it('looks a message that is still not final up again after a doubling delay, up to the cap', async () => {
  const { calls, reconcile } = run([entry('a'), entry('b', { checks: 3 })], {
    'SM-a': found('sent'),
    'SM-b': found('queued'),
  });
  await reconcile.runOnce();
  expect(calls.filter((c) => c.startsWith('next'))).toEqual([
    'next a in 20 min after 1',
    'next b in 60 min after 4',
  ]);
});

it('stops looking up a message past the maximum age, or one the provider does not have', async () => {
  const old = entry('old', { calledAt: new Date(Date.now() - 25 * 60 * MINUTE) });
  const { calls, reconcile } = run([old, entry('gone')], { 'SM-old': found('sent'), 'SM-gone': null });
  await reconcile.runOnce();
  expect(calls.filter((c) => c.startsWith('next'))).toEqual([
    'next old never after 1',
    'next gone never after 1',
  ]);
});

it('tries again later when the look-up fails, and goes on with the next message', async () => {
  const { calls, reconcile } = run([entry('a'), entry('b')], {
    'SM-a': new Error('Twilio 503'),
    'SM-b': found('delivered'),
  });
  expect(await reconcile.runOnce()).toBe(2);
  expect(calls).toEqual([
    'fetch SM-a',
    'next a in 20 min after 1',
    'fetch SM-b',
    'record b delivered  -0.00790',
    'flush b delivered',
  ]);
});

it('stops a pass early when the service is stopping', async () => {
  const { calls, reconcile } = run([entry('a'), entry('b')], { 'SM-a': found('delivered') });
  let checked = 0;
  expect(await reconcile.runOnce(() => checked++ >= 1)).toBe(1);
  expect(calls.filter((c) => c.startsWith('fetch'))).toEqual(['fetch SM-a']);
});
