// A subscriber changed (profile or consent): keep the conversation's snapshot current and move
// it into or out of `opted_out`. Stale versions are ignored: consent moves are ordered by the
// subscriber's version, so an opt-out wins over any move a reply or a text made meanwhile.
import type { subscriberV1 } from '@sms-inbox/contracts';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import { snapshotOf } from '../repositories/conversation.repository.js';
import type { AnnounceChange } from './announce-change.js';

export class ApplySubscriberChange {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly announce: AnnounceChange,
  ) {}

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
