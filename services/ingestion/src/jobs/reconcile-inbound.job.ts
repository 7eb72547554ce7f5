// Inbound reconciliation (docs/architecture.md, "Product rules"): Twilio does not retry an inbound text that got
// a 5xx (or no answer), so every few minutes each shop number's recent inbound texts are listed
// through Twilio's Messages API and every MessageSid without a receipt is ingested through the
// same use case as the webhook, with the same de-duplication: a text Twilio received is never
// lost because ingestion was down. Every replica may run it; receipts make repeats harmless.

import type { subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import type { Logger } from '@sms-inbox/platform';
import { mediaUrlOf, type TwilioClient } from '@sms-inbox/twilio';
import { Counter } from 'prom-client';
import type { ReceiptRepository } from '../repositories/receipt.repository.js';
import type { InboundSmsParams, ReceiveInboundSms } from '../usecases/receive-inbound-sms.usecase.js';

const reconciled = new Counter({
  name: 'sms_inbox_inbound_reconciled_total',
  help: 'Inbound texts found through the Messages API that no webhook had delivered',
});
const runs = new Counter({
  name: 'sms_inbox_inbound_reconcile_runs_total',
  help: 'Inbound reconciliation runs by outcome',
  labelNames: ['outcome'] as const,
});

export interface ReconcileOptions {
  intervalMs: number;
  lookbackMs: number;
}

export class ReconcileInbound {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly subscribers: subscriberV1.SubscriberServiceClient,
    private readonly twilio: TwilioClient,
    private readonly receipts: ReceiptRepository,
    private readonly receive: ReceiveInboundSms,
    private readonly options: ReconcileOptions,
    private readonly logger: Logger,
  ) {}

  /** One pass over every shop number; returns how many texts it ingested. */
  async runOnce(now = new Date()): Promise<number> {
    const since = new Date(now.getTime() - this.options.lookbackMs);
    let ingested = 0;
    let afterShop = '';
    do {
      const page = await call(this.subscribers, this.subscribers.listSendingNumbers, {
        afterShop,
        limit: 200,
      });
      for (const { phoneNumber } of page.numbers) {
        if (this.stopped) return ingested;
        ingested += await this.reconcileNumber(phoneNumber, since);
      }
      afterShop = page.nextAfterShop;
    } while (afterShop);
    return ingested;
  }

  private async reconcileNumber(phoneNumber: string, since: Date): Promise<number> {
    let ingested = 0;
    const texts = await this.twilio.messages.list({ to: phoneNumber, dateSentAfter: since, pageSize: 1000 });
    for (const text of texts) {
      if (text.direction !== 'inbound') continue;
      if ((await this.receipts.find(`twilio_sms:${text.sid}`))?.publishedAt) continue;
      const params: InboundSmsParams = {
        MessageSid: text.sid,
        AccountSid: text.accountSid,
        From: text.from,
        To: text.to,
        Body: text.body,
        NumMedia: text.numMedia,
      };
      if (Number(text.numMedia) > 0) {
        const media = await this.twilio.messages(text.sid).media.list({ limit: 10 });
        media.forEach((m, i) => {
          params[`MediaUrl${i}`] = mediaUrlOf(m.uri);
          params[`MediaContentType${i}`] = m.contentType;
        });
      }
      const { duplicate } = await this.receive.execute(params, {
        receivedAt: text.dateSent ?? text.dateCreated,
      });
      if (!duplicate) {
        ingested++;
        reconciled.inc();
        this.logger.warn({ messageSid: text.sid }, 'inbound text recovered by reconciliation');
      }
    }
    return ingested;
  }

  start(): void {
    if (this.options.intervalMs <= 0) return;
    const tick = () => {
      this.running = this.runOnce()
        .then(() => runs.inc({ outcome: 'ok' }))
        .catch((err) => {
          runs.inc({ outcome: 'failed' });
          this.logger.warn({ err }, 'inbound reconciliation failed; next run will retry');
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs);
        });
    };
    // The first pass soon after start: that is when an outage has just ended.
    this.timer = setTimeout(tick, Math.min(this.options.intervalMs, 5_000));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
