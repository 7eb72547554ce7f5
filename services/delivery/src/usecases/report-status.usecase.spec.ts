import type { Bus } from '@sms-inbox/bus';
import { createLogger } from '@sms-inbox/platform';
import type { OutboundRecord, OutboundRepository } from '../repositories/outbound.repository.js';
import { ReportStatus } from './report-status.usecase.js';

const logger = createLogger('report-status-spec', 'silent');

const record = (fields: Partial<OutboundRecord> = {}): OutboundRecord => ({
  _id: 'm1',
  shop: 'spec.myshopify.com',
  conversationId: 'c1',
  subscriberId: 's1',
  to: '+14155550101',
  from: '+14155550100',
  state: 'accepted',
  providerSid: 'SM1',
  errorCode: null,
  uncertain: false,
  attempts: 1,
  calledAt: new Date(),
  updatedAt: new Date(),
  status: 'sent',
  outbox: { status: 'sent', providerSid: 'SM1', errorCode: null, at: new Date() },
  ...fields,
});

function fakes(publish: () => Promise<void> = async () => {}) {
  const calls: string[] = [];
  const bus = {
    publish: async (_event: unknown, payload: { status: string }, options: { msgId: string }) => {
      calls.push(`publish ${payload.status} ${options.msgId}`);
      await publish();
    },
  } as unknown as Bus;
  const ledger = {
    clearOutbox: async (id: string, status: string) => {
      calls.push(`clear ${id} ${status}`);
    },
    pendingOutboxes: async () => [record({ _id: 'm2' }), record({ _id: 'm3' })],
  } as unknown as OutboundRepository;
  return { calls, report: new ReportStatus(ledger, bus, logger) };
}

it('empties the outbox only after its status was published, de-duplicated per status', async () => {
  const { calls, report } = fakes();
  await report.flush(record());
  expect(calls).toEqual(['publish sent status:m1:sent', 'clear m1 sent']);
});

it('leaves the outbox full when the publish fails, for the sweep or a redelivery', async () => {
  const { calls, report } = fakes(async () => {
    throw new Error('no broker');
  });
  await expect(report.flush(record())).rejects.toThrow('no broker');
  expect(calls).toEqual(['publish sent status:m1:sent']);
});

it('publishes nothing for an empty outbox or an automatic text', async () => {
  const { calls, report } = fakes();
  await report.flush(record({ outbox: null }));
  await report.flush(record({ conversationId: '' }));
  expect(calls).toEqual([]);
});

it('publishes every outbox a stopped process left', async () => {
  const { calls, report } = fakes();
  expect(await report.sweep(0)).toBe(2);
  expect(calls).toEqual([
    'publish sent status:m2:sent',
    'clear m2 sent',
    'publish sent status:m3:sent',
    'clear m3 sent',
  ]);
});

describe('a reported status', () => {
  const reported = (status: 'sent' | 'delivered' | 'queued') => ({
    status,
    providerSid: 'SM1',
    errorCode: null,
    at: new Date(),
  });

  it('on the way (`sent`) is published straight from the report, with no outbox to empty', async () => {
    const { calls, report } = fakes();
    await report.report(record({ outbox: null }), reported('sent'));
    // The ledger does not write `sent` after the accept: it still holds `queued`.
    await report.report(record({ status: 'queued', outbox: null }), reported('sent'));
    expect(calls).toEqual(['publish sent status:m1:sent', 'publish sent status:m1:sent']);
  });

  it('final is published from the outbox, which is then emptied', async () => {
    const { calls, report } = fakes();
    const box = { status: 'delivered' as const, providerSid: 'SM1', errorCode: null, at: new Date() };
    await report.report(record({ status: 'delivered', outbox: box }), reported('delivered'));
    expect(calls).toEqual(['publish delivered status:m1:delivered', 'clear m1 delivered']);
  });

  it('that came after a higher one publishes only what an outbox still holds, and `queued` nothing', async () => {
    const { calls, report } = fakes();
    await report.report(record({ status: 'delivered', outbox: null }), reported('sent'));
    await report.report(record({ status: 'queued', outbox: null }), reported('queued'));
    expect(calls).toEqual([]);
    const box = { status: 'delivered' as const, providerSid: 'SM1', errorCode: null, at: new Date() };
    await report.report(record({ status: 'delivered', outbox: box }), reported('sent'));
    expect(calls).toEqual(['publish delivered status:m1:delivered', 'clear m1 delivered']);
  });
});
