// What the conversation service's use cases ask outside it, as a port: the subscriber service's
// subscribers (over gRPC, in adapters/subscriber-directory.adapter.ts). The use cases depend on
// this only, so their unit tests give a fake.
import type { subscriberV1 } from '@sms-inbox/contracts';

/** A subscriber as the subscriber service has it now, with the version of that state. */
export interface CurrentSubscriber {
  subscriber: subscriberV1.Subscriber;
  version: number;
}

export interface SubscriberDirectory {
  /** The subscriber now; fails `not_found` when unknown or erased. */
  get(shop: string, id: string): Promise<CurrentSubscriber>;
  /**
   * The subscriber now; null when unknown or erased. `consentOnly`: phone and consent are all the
   * caller reads (no quiet hours, so the subscriber service reads no shop settings).
   */
  find(shop: string, id: string, options?: { consentOnly?: boolean }): Promise<CurrentSubscriber | null>;
}
