// The merchant's Resolve and Unresolve buttons. An opted-out conversation stays opted out: only
// the subscriber's own opt-in moves it.
import { conflict, notFound } from '@sms-inbox/platform';
import { nextStatus } from '../domain/conversation-status.js';
import type { ConversationRecord, ConversationRepository } from '../repositories/conversation.repository.js';
import type { AnnounceChange } from './announce-change.js';

export class SetStatusByMerchant {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly announce: AnnounceChange,
  ) {}

  async execute(input: {
    shop: string;
    id: string;
    action: 'resolve' | 'unresolve';
    actor: string;
  }): Promise<ConversationRecord> {
    const current = await this.conversations.findById(input.shop, input.id);
    if (!current) throw notFound('conversation_not_found', 'no such conversation');
    const event = input.action === 'resolve' ? 'merchant_resolved' : 'merchant_unresolved';
    const to = nextStatus(current.status, { kind: event });
    if (current.status === 'opted_out') {
      throw conflict(
        'subscriber_opted_out',
        'the subscriber has opted out; the conversation stays opted out',
      );
    }
    if (to !== current.status) {
      // The click is the newest decision: a text that arrived earlier never undoes it.
      const at = new Date(Math.max(Date.now(), new Date(current.statusChangedAt).getTime()));
      await this.conversations.setStatus(input.shop, input.id, [current.status], to, at, {
        reason: event,
        actor: `user:${input.actor}`,
      });
      await this.announce.execute(input.shop, input.id);
    }
    return (await this.conversations.findById(input.shop, input.id))!;
  }
}
