import { createLogger } from '@sms-inbox/platform';
import type {
  OutboundRecord,
  OutboundRepository,
  StatusReport,
} from '../repositories/outbound.repository.js';
import { ApplyProviderStatus, UnknownProviderSid } from './apply-provider-status.usecase.js';
import type { ReportStatus } from './report-status.usecase.js';

const logger = createLogger('apply-provider-status-spec', 'silent');

function setup(options: { known?: boolean; moved?: boolean } = {}) {
  const calls: string[] = [];
  const entry = { _id: 'm1', shop: 'a.myshopify.com', conversationId: 'c1' } as OutboundRecord;
  const ledger = {
    findByProviderSid: async () => (options.known === false ? null : entry),
    recordStatus: async (id: string, report: StatusReport) => {
      calls.push(`record ${id} ${report.status} ${report.errorCode ?? ''}`);
      return { record: { ...entry, outbox: { status: report.status } }, moved: options.moved ?? true };
    },
  } as unknown as OutboundRepository;
  const report = {
    report: async (_record: OutboundRecord, reported: StatusReport) => {
      calls.push(`report ${reported.status}`);
    },
  } as unknown as ReportStatus;
  return { calls, apply: new ApplyProviderStatus(ledger, report, logger) };
}

const callback = (messageStatus: string, errorCode = 0) => ({
  messageSid: 'SM1',
  accountSid: 'AC1',
  messageStatus,
  errorCode,
  receivedAt: new Date(),
});

it("records a callback's status in the ledger by precedence, then reports it", async () => {
  const { calls, apply } = setup();
  await apply.execute(callback('undelivered', 30003));
  expect(calls).toEqual(['record m1 undelivered 30003', 'report undelivered']);
});

it('reports again for a stale or repeated callback (what a crash may have left unpublished)', async () => {
  const { calls, apply } = setup({ moved: false });
  await apply.execute(callback('sent'));
  expect(calls).toEqual(['record m1 sent ', 'report sent']);
});

it('ignores statuses no message shows, and retries a callback that came before the sid was recorded', async () => {
  const { calls, apply } = setup();
  await apply.execute(callback('sending'));
  await apply.execute(callback('no_such_status'));
  expect(calls).toEqual([]);
  await expect(setup({ known: false }).apply.execute(callback('delivered'))).rejects.toBeInstanceOf(
    UnknownProviderSid,
  );
});
