import { RetryAfter } from '@sms-inbox/bus';
import { applyStatus, createLogger } from '@sms-inbox/platform';
import { NumberPacer } from '../domain/pacing.js';
import type { Recipient, Recipients, SendResult, SmsProvider } from '../domain/ports.js';
import type { OutboundRecord, StatusReport } from '../repositories/outbound.repository.js';
import type { ReportStatus } from './report-status.usecase.js';
import { type OutboundRequest, SendOutbound } from './send-outbound.usecase.js';

const logger = createLogger('send-outbound-spec', 'silent');

/** The ledger in memory, logging each write it is asked for. */
class FakeLedger {
  readonly docs = new Map<string, OutboundRecord>();
  reads = 0;
  constructor(private readonly calls: string[]) {}
  async find(id: string) {
    this.reads++;
    return this.docs.get(id) ?? null;
  }
  async claim(record: Omit<OutboundRecord, 'updatedAt'>) {
    this.calls.push(`ledger ${record.state}`);
    if (this.docs.has(record._id)) return false;
    this.docs.set(record._id, { ...record, updatedAt: new Date() });
    return true;
  }
  async update(id: string, fields: Partial<OutboundRecord>) {
    this.calls.push(`ledger ${fields.state ?? 'update'}`);
    this.docs.set(id, { ...this.docs.get(id)!, ...fields });
  }
  async recordStatus(id: string, report: StatusReport, fields: Partial<OutboundRecord> = {}) {
    this.calls.push(`ledger ${fields.state ?? 'status'} ${report.status}`);
    const entry = this.docs.get(id);
    if (!entry) return null;
    const status = entry.status ? applyStatus(entry.status, report.status) : report.status;
    const moved = status !== entry.status;
    const record = {
      ...entry,
      ...fields,
      status,
      ...(moved && entry.conversationId && report.status !== 'queued'
        ? { outbox: { ...report, errorCode: report.errorCode } }
        : {}),
    };
    this.docs.set(id, record);
    return { record, moved };
  }
}

function setup(
  options: { answers?: SendResult[]; recipient?: Recipient | null; found?: string | null } = {},
) {
  const calls: string[] = [];
  const ledger = new FakeLedger(calls);
  const answers = [...(options.answers ?? [])];
  const provider: SmsProvider = {
    send: async (sms) => {
      calls.push(`provider send ${sms.body}`);
      return answers.shift() ?? { outcome: 'accepted', providerSid: 'SM1', status: 'queued' };
    },
    findSent: async () => {
      calls.push('provider find');
      return options.found ?? null;
    },
    fetchStatus: async () => null,
  };
  const recipients: Recipients = {
    find: async () => {
      calls.push('recipients find');
      return options.recipient === undefined
        ? { phone: '+14155550101', status: 'active' }
        : options.recipient;
    },
    optOutByCarrier: async (_shop, id, cause) => {
      calls.push(`opt out ${id} because ${cause}`);
    },
  };
  const report = {
    flush: async (record: OutboundRecord) => {
      calls.push(`report ${record.outbox?.status ?? 'nothing'}`);
    },
  } as unknown as ReportStatus;
  const send = new SendOutbound(
    ledger,
    provider,
    recipients,
    new NumberPacer(1_000),
    report,
    {
      shopNumber: async () => '+14155550100',
      statusCallback: 'http://127.0.0.1/webhooks/twilio/status',
      maxAttempts: 3,
      retry: { baseMs: 100, capMs: 1_000 },
      settleMs: 20_000,
      reconcileAfterMs: 600_000,
    },
    logger,
  );
  return { calls, ledger, send };
}

const reply = (fields: Partial<OutboundRequest> = {}): OutboundRequest => ({
  id: 'm1',
  kind: 'reply',
  shop: 'spec.myshopify.com',
  subscriberId: 's1',
  conversationId: 'c1',
  to: '+14155550101',
  from: '',
  body: 'it ships today',
  mediaUrls: [],
  audience: 'active',
  ...fields,
});
const delivery = { working: () => {} };

/** What a first send does, in order. */
const SENT_ONCE = [
  'recipients find',
  'ledger calling',
  'provider send it ships today',
  'ledger accepted queued',
  'report nothing',
];

it('records "calling" in the ledger before the provider is called, then "accepted", with nothing to report (the conversation queued it)', async () => {
  const { calls, ledger, send } = setup();
  await send.execute(reply(), delivery);
  expect(calls).toEqual(SENT_ONCE);
  expect(ledger.docs.get('m1')).toMatchObject({ state: 'accepted', providerSid: 'SM1', status: 'queued' });
});

it('never calls the provider again for a request the ledger shows accepted', async () => {
  const { calls, send } = setup();
  await send.execute(reply(), delivery);
  calls.length = 0;
  await send.execute(reply(), delivery);
  expect(calls.filter((c) => c.startsWith('provider'))).toEqual([]);
});

it('asks the provider, never resends blindly, when a call may have reached it', async () => {
  const { calls, ledger, send } = setup({ found: 'SM9' });
  ledger.docs.set('m1', {
    ...reply(),
    _id: 'm1',
    state: 'calling',
    from: '+14155550100',
    providerSid: null,
    errorCode: null,
    uncertain: false,
    attempts: 1,
    calledAt: new Date(Date.now() - 60_000),
    updatedAt: new Date(),
  } as OutboundRecord);
  await send.execute(reply(), delivery);
  expect(calls.filter((c) => c.startsWith('provider'))).toEqual(['provider find']);
  expect(ledger.docs.get('m1')).toMatchObject({ state: 'accepted', providerSid: 'SM9' });
});

it('checks consent right before the call: an opted-out subscriber is canceled and never sent to', async () => {
  const { calls, ledger, send } = setup({ recipient: { phone: '+14155550101', status: 'opted_out' } });
  await send.execute(reply(), delivery);
  expect(calls.filter((c) => c.startsWith('provider'))).toEqual([]);
  expect(ledger.docs.get('m1')).toMatchObject({ state: 'canceled', status: 'canceled' });
  expect(calls.at(-1)).toBe('report canceled');
});

it('retries a 5xx later, after asking the provider first, and fails for good after the last attempt', async () => {
  const fiveHundred: SendResult = { outcome: 'retry', httpStatus: 503, code: null, message: 'busy' };
  const { ledger, send } = setup({ answers: [fiveHundred, fiveHundred, fiveHundred] });
  await expect(send.execute(reply(), delivery)).rejects.toBeInstanceOf(RetryAfter);
  expect(ledger.docs.get('m1')).toMatchObject({ state: 'retrying', uncertain: true });
  await expect(send.execute(reply(), delivery)).rejects.toBeInstanceOf(RetryAfter);
  await send.execute(reply(), delivery);
  expect(ledger.docs.get('m1')).toMatchObject({ state: 'failed', status: 'failed', attempts: 3 });
});

it('fails a message the carrier refuses as unsubscribed (21610) and opts the subscriber out', async () => {
  const { calls, ledger, send } = setup({
    answers: [{ outcome: 'rejected', httpStatus: 400, code: 21610, message: 'unsubscribed' }],
  });
  await send.execute(reply(), delivery);
  expect(ledger.docs.get('m1')).toMatchObject({ state: 'failed', errorCode: 21610 });
  expect(calls).toContain('opt out s1 because m1');
});

describe("a request's first delivery", () => {
  const first = { working: () => {}, deliveryCount: 1 };

  it('claims without reading the ledger first, and reads nothing after the accept', async () => {
    const { calls, ledger, send } = setup();
    await send.execute(reply(), first);
    expect(calls).toEqual(SENT_ONCE);
    expect(ledger.reads).toBe(0);
  });

  it('meets an entry at the claim (the request published twice) and then goes as a redelivery: never a second call', async () => {
    const { calls, ledger, send } = setup();
    await send.execute(reply(), delivery);
    calls.length = 0;
    await send.execute(reply(), first);
    expect(calls.filter((c) => c.startsWith('provider'))).toEqual([]);
    expect(ledger.docs.get('m1')).toMatchObject({ state: 'accepted' });
    expect(ledger.reads).toBeGreaterThan(0);
  });

  it('meets a call still in flight elsewhere and waits for it, never calling twice', async () => {
    const { calls, ledger, send } = setup();
    ledger.docs.set('m1', { ...(await acceptedEntry()), state: 'calling', calledAt: new Date() });
    await expect(send.execute(reply(), first)).rejects.toBeInstanceOf(RetryAfter);
    expect(calls.filter((c) => c.startsWith('provider'))).toEqual([]);
  });
});

/** The ledger entry of a reply sent once. */
async function acceptedEntry(): Promise<OutboundRecord> {
  const { ledger, send } = setup();
  await send.execute(reply(), delivery);
  return ledger.docs.get('m1')!;
}
