// Consent changes, shared by every cause (a text, a checkout webhook, the merchant, a carrier
// error): decide with the pure state machine, record the audit entry keyed by the cause, move
// the status conditionally, then announce the subscriber and request the owed auto-reply.
// Each step is one single-document write that is safe to repeat, so a redelivered cause
// finishes what a crash interrupted and never does anything twice.
import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import { Counter } from 'prom-client';
import {
  type AutoReplyKind,
  autoReplyFor,
  type ConsentSource,
  type ConsentStatus,
  decideConsent,
} from '../domain/consent.js';
import type { ConsentAuditRepository } from '../repositories/consent-audit.repository.js';
import type { ShopSettings } from '../repositories/shop.repository.js';
import type { SubscriberRecord, SubscriberRepository } from '../repositories/subscriber.repository.js';
import { toSubscriberMessage } from '../views/subscriber-view.js';

const consentChanges = new Counter({
  name: 'sms_inbox_consent_changes_total',
  help: 'Consent changes applied, by new status and source',
  labelNames: ['to', 'source'] as const,
});

export interface ConsentCause {
  /** Unique id of the cause: "sms:<MessageSid>", "shopify:<event id>", "merchant:<request>". */
  id: string;
  source: ConsentSource;
  /** The cause's own time (arrival of the text, consent_updated_at of the webhook). */
  at: Date;
  /** Keyword text, webhook topic, merchant user or error code. */
  detail: string;
}

/** Where a phone number lies (zones, US state), for timezone and quiet-hours rules. */
export type PhoneLookup = (phone: string) => Promise<Pick<SubscriberRecord, 'phoneZones' | 'phoneRegion'>>;

export type NewSubscriber = Pick<
  SubscriberRecord,
  | 'shop'
  | 'phone'
  | 'firstName'
  | 'lastName'
  | 'source'
  | 'customerId'
  | 'customerUrl'
  | 'timezone'
  | 'region'
>;

export class Consent {
  constructor(
    private readonly subscribers: SubscriberRepository,
    private readonly audit: ConsentAuditRepository,
    private readonly bus: Bus,
    private readonly lookUpPhone: PhoneLookup,
  ) {}

  /** Creates an active subscriber (or finds the existing one for that phone). */
  async subscribe(fields: NewSubscriber, cause: ConsentCause): Promise<SubscriberRecord> {
    const { subscriber, created } = await this.subscribers.createIfAbsent(
      {
        ...fields,
        ...(await this.lookUpPhone(fields.phone)),
        status: 'active',
        consentAt: cause.at,
        createdBy: cause.id,
      },
      cause.at,
    );
    if (created || subscriber.createdBy === cause.id) {
      await this.record(subscriber, 'none', 'active', cause);
      return subscriber;
    }
    return this.change(subscriber, 'active', cause);
  }

  /** Applies a change if the state machine allows it; returns the subscriber as it now is. */
  async change(
    subscriber: SubscriberRecord,
    to: ConsentStatus,
    cause: ConsentCause,
  ): Promise<SubscriberRecord> {
    const decision = decideConsent(subscriber, to, cause.source, cause.at);
    if (!decision.apply) return subscriber;
    await this.record(subscriber, decision.from, to, cause);
    const changed = await this.subscribers.transition(
      subscriber.shop,
      subscriber._id,
      subscriber.status,
      to,
      cause.at,
    );
    return changed ?? (await this.subscribers.findById(subscriber.shop, subscriber._id)) ?? subscriber;
  }

  /**
   * Finishes a cause: announces the subscriber's current state and sends the auto-reply its
   * consent change owes, if any and if the status still is what the change made it.
   */
  async settle(
    subscriber: SubscriberRecord,
    shop: ShopSettings,
    cause: ConsentCause,
    extraReply?: AutoReplyKind,
  ): Promise<void> {
    await this.announce(subscriber, shop);
    const entry = await this.audit.find(cause.id);
    const owed =
      entry && entry.subscriberId === subscriber._id && entry.to === subscriber.status
        ? autoReplyFor(entry.to, entry.source)
        : null;
    for (const kind of new Set([owed, extraReply])) {
      if (kind) await this.requestAutoReply(subscriber, shop, kind, cause);
    }
  }

  /** HELP from a number that is not a subscriber: the help text, nothing stored. */
  async helpForStranger(shop: ShopSettings, phone: string, cause: ConsentCause): Promise<void> {
    await this.publishAutoReply(shop, '', phone, 'help', cause);
  }

  /** Publishes the subscriber's current state; the id includes the version, so repeats are dropped. */
  async announce(subscriber: SubscriberRecord, shop: ShopSettings | null): Promise<void> {
    await this.bus.publish(
      Events.subscriberChanged,
      {
        subscriber: toSubscriberMessage(subscriber, shop),
        version: subscriber.version,
        changedAt: subscriber.updatedAt,
      },
      { msgId: `subscriber:${subscriber._id}:${subscriber.version}` },
    );
  }

  private async requestAutoReply(
    subscriber: SubscriberRecord,
    shop: ShopSettings,
    kind: AutoReplyKind,
    cause: ConsentCause,
  ) {
    // Invariant 1: an opted-out number gets nothing but its one opt-out confirmation.
    if (subscriber.status === 'opted_out' && kind !== 'opt_out_confirmation') return;
    await this.publishAutoReply(shop, subscriber._id, subscriber.phone, kind, cause);
  }

  private async publishAutoReply(
    shop: ShopSettings,
    subscriberId: string,
    to: string,
    kind: AutoReplyKind,
    cause: ConsentCause,
  ) {
    const text = {
      opt_in_confirmation: shop.texts.optInConfirmation,
      help: shop.texts.help,
      opt_out_confirmation: shop.texts.optOutConfirmation,
    }[kind];
    const requestId = `${kind}:${cause.id}`;
    await this.bus.publish(
      Events.autoReplyRequested,
      {
        requestId,
        shop: shop._id,
        subscriberId,
        to,
        from: shop.phoneNumber,
        kind,
        text,
        requestedAt: cause.at,
      },
      { msgId: `auto:${requestId}` },
    );
  }

  private async record(
    subscriber: SubscriberRecord,
    from: ConsentStatus | 'none',
    to: ConsentStatus,
    cause: ConsentCause,
  ) {
    await this.audit.record({
      _id: cause.id,
      shop: subscriber.shop,
      subscriberId: subscriber._id,
      from,
      to,
      source: cause.source,
      detail: cause.detail.slice(0, 80),
      at: cause.at,
    });
    consentChanges.inc({ to, source: cause.source });
  }
}
