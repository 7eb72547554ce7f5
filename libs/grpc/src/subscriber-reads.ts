// The subscriber service's subscribers by id, read by two services on their hot paths (the
// conversation's reply and release, delivery's consent check right before each send). Concurrent
// reads go together (a group commit, the platform's Batcher): one BatchGetSubscribers per shop
// for the calls made while the previous one was out, instead of a GetSubscriber each. A call's
// command is sent after the call was made, so it sees every consent change stored before it, as
// a call of its own would.
import type { subscriberV1 } from '@sms-inbox/contracts';
import { Batcher, type Settled } from '@sms-inbox/platform';
import { Histogram } from 'prom-client';
import { call } from './index.js';

const batchSize = new Histogram({
  name: 'sms_inbox_grpc_client_batch_size',
  help: 'Reads served by one batched gRPC call, by method',
  labelNames: ['method'] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
});

/** A subscriber as the subscriber service has it now, with its version. */
export interface SubscriberRead {
  subscriber: subscriberV1.Subscriber;
  version: number;
}

/** BatchGetSubscribers takes at most this many ids. */
const MAX_IDS = 500;

export class SubscriberReads {
  private readonly batcher: Batcher<{ shop: string; id: string }, SubscriberRead | null>;

  /**
   * `consentOnly`: the answers carry consent and phone only (no timezone or quiet hours), and the
   * subscriber service reads no shop settings for them.
   */
  constructor(client: subscriberV1.SubscriberServiceClient, options: { consentOnly: boolean }) {
    const method = `BatchGetSubscribers${options.consentOnly ? ' consent_only' : ''}`;
    this.batcher = new Batcher(
      async (reads) => {
        const byShop = new Map<string, Set<string>>();
        for (const r of reads) byShop.set(r.shop, (byShop.get(r.shop) ?? new Set()).add(r.id));
        const answers = new Map<string, Settled<Map<string, SubscriberRead>>>();
        await Promise.all(
          [...byShop].map(async ([shop, ids]) => {
            try {
              const { subscribers, versions } = await call(client, client.batchGetSubscribers, {
                shop,
                ids: [...ids],
                consentOnly: options.consentOnly,
              });
              const found = new Map<string, SubscriberRead>();
              for (const s of subscribers) found.set(s.id, { subscriber: s, version: versions[s.id] ?? 0 });
              answers.set(shop, { ok: true, value: found });
            } catch (err) {
              answers.set(shop, { ok: false, error: err as Error });
            }
          }),
        );
        return reads.map(({ shop, id }): Settled<SubscriberRead | null> => {
          const answer = answers.get(shop)!;
          return answer.ok ? { ok: true, value: answer.value.get(id) ?? null } : answer;
        });
      },
      { maxBatch: MAX_IDS, onBatch: (size) => batchSize.observe({ method }, size) },
    );
  }

  /** The subscriber `id` of `shop`, or null when the shop has none (or erased it). */
  find(shop: string, id: string): Promise<SubscriberRead | null> {
    return this.batcher.call({ shop, id });
  }
}
