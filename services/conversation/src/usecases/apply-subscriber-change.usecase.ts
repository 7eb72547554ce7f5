// A subscriber changed (profile or consent): keep the conversation's snapshot current and move
// it into or out of `opted_out`. Stale versions are ignored: consent moves are ordered by the
// subscriber's version, so an opt-out wins over any move a reply or a text made meanwhile.
import type { subscriberV1 } from '@sms-inbox/contracts';
import type { SubscriberDirectory } from '../domain/ports.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import { snapshotOf } from '../repositories/conversation.repository.js';
import type { AnnounceChange } from './announce-change.js';

export class ApplySubscriberChange {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly announce: AnnounceChange,
    private readonly subscribers: SubscriberDirectory,
  ) {}

  /**
   * A conversation opened by a text holds its subscriber as that text saw it (version 0), and a
   * consent change handled while no conversation existed found nothing to move (the two are
   * different consumers, on any replica, in any order). So the text's handler, once the
   * conversation is stored, applies the subscriber as the subscriber service has it now: of the
   * two, whichever runs second sees the other, since a change is stored before its event is
   * published. Without it an opted-out subscriber's conversation could stay unresolved.
   */
  async catchUp(shop: string, subscriberId: string): Promise<void> {
    const found = await this.subscribers.find(shop, subscriberId);
    // Erased meanwhile: the erasure takes the conversation too. A subscriber service from before
    // versions were served: its events will follow.
    if (!found?.version) return;
    await this.execute({ subscriber: found.subscriber, version: found.version, changedAt: new Date() });
  }

  async execute(event: subscriberV1.SubscriberChanged): Promise<void> {
    const subscriber = event.subscriber!;
    const conversation = await this.conversations.findBySubscriber(subscriber.shop, subscriber.id);
    // No conversation yet: a keyword opt-in opens none (the seed page's rule).
    if (!conversation) return;
    const at = event.changedAt ?? new Date();
    let changed = await this.conversations.updateSnapshot(
      subscriber.shop,
      conversation._id,
      snapshotOf(subscriber, event.version),
    );
    if (subscriber.status === 'opted_out') {
      changed =
        (await this.conversations.setStatus(
          subscriber.shop,
          conversation._id,
          ['resolved', 'unresolved'],
          'opted_out',
          at,
          { reason: 'subscriber_opted_out', actor: 'subscriber', subscriberVersion: event.version },
        )) || changed;
    } else {
      changed =
        (await this.conversations.setStatus(
          subscriber.shop,
          conversation._id,
          ['opted_out'],
          'resolved',
          at,
          { reason: 'subscriber_opted_in', actor: 'subscriber', subscriberVersion: event.version },
        )) || changed;
    }
    if (changed) await this.announce.execute(subscriber.shop, conversation._id);
  }
}
