// The merchant's reply (docs/api.md `POST /v1/conversations/{id}/replies`): checked (text or image,
// size, https media, discount code), refused for an opted-out subscriber, held back in quiet
// hours unless the merchant says "now" (recorded as an override) or "scheduled", idempotent by
// the Idempotency-Key, stored as an outbound message, the conversation resolved, and the send
// requested from delivery (which checks consent again right before calling Twilio), or, when
// scheduled, the release requested from the scheduler. A repeat of the same request asks again
// (harmless, keyed by the message id), so a crash between storing and asking loses nothing.
import { createHash, randomUUID } from 'node:crypto';
import {
  AppError,
  conflict,
  invalid,
  notFound,
  type SmsSize,
  smsSize,
  withDiscount,
} from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import type { SubscriberDirectory } from '../domain/ports.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import {
  type MessageRecord,
  type MessageRepository,
  messageIdFor,
} from '../repositories/message.repository.js';
import type { AnnounceChange } from './announce-change.js';
import { type RequestSend, sendMayBeUnasked } from './request-send.js';

export interface ReplyInput {
  shop: string;
  conversationId: string;
  text: string;
  mediaUrl: string;
  discountCode: string;
  send: string;
  idempotencyKey: string;
  actor: string;
}

const replies = new Counter({
  name: 'sms_inbox_replies_total',
  help: 'Replies accepted, by send mode asked (auto, now, scheduled) and what happened (sent, scheduled)',
  labelNames: ['send', 'outcome'] as const,
});
const overrides = new Counter({
  name: 'sms_inbox_quiet_hours_overrides_total',
  help: 'Replies sent during quiet hours because the merchant chose "Send Reply Now"',
});

const MAX_TEXT = 1600;
const IMAGE_EXTENSION = /\.(jpe?g|png|gif)(\?.*)?$/i;

export class CreateReply {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly subscribers: SubscriberDirectory,
    private readonly announce: AnnounceChange,
    private readonly requests: RequestSend,
  ) {}

  async execute(input: ReplyInput): Promise<{ message: MessageRecord; size: SmsSize }> {
    const send = input.send || 'auto';
    if (!['auto', 'now', 'scheduled'].includes(send))
      throw invalid('invalid_send', 'send is auto, now or scheduled');
    const conversation = await this.conversations.findById(input.shop, input.conversationId);
    if (!conversation) throw notFound('conversation_not_found', 'no such conversation');
    const text = this.textOf(input);
    const mediaUrls = input.mediaUrl ? [this.checkedMediaUrl(input.mediaUrl)] : [];
    const size = smsSize(text);

    const requestHash = createHash('sha256')
      .update(JSON.stringify([input.conversationId, input.text, input.mediaUrl, input.discountCode, send]))
      .digest('hex');
    const dedupeKey = `out:${input.idempotencyKey ? `key:${input.idempotencyKey}` : randomUUID()}`;
    // A repeated Idempotency-Key is found where it matters without a read first: the insert
    // meets the stored message (its `_id` follows from the key), and a refusal below looks for
    // it before refusing (the first request's result stands, whatever changed since).
    const repeatOrThrow = async (refusal: AppError) => {
      const earlier = input.idempotencyKey
        ? await this.messages.findByDedupeKey(input.shop, dedupeKey)
        : null;
      if (!earlier) throw refusal;
      return this.repeat(earlier, requestHash, conversation.subscriberId, size);
    };

    const { subscriber } = await this.subscribers.get(input.shop, conversation.subscriberId);
    if (subscriber?.status !== 'active' || conversation.status === 'opted_out') {
      return repeatOrThrow(
        conflict('subscriber_opted_out', 'the subscriber has opted out and cannot be messaged'),
      );
    }
    const quiet = subscriber.quietHours;
    if (quiet?.active && (send === 'auto' || (send === 'scheduled' && !quiet.endsAt))) {
      return repeatOrThrow(
        conflict('quiet_hours', 'the subscriber is in quiet hours: send now or schedule', {
          details: {
            quietHours: {
              endsAt: quiet.endsAt?.toISOString() ?? null,
              timezone: subscriber.timezone,
              rule: quiet.rule || null,
            },
          },
        }),
      );
    }
    const scheduled = quiet?.active && send === 'scheduled';
    const now = new Date();
    const draft: MessageRecord = {
      _id: messageIdFor(input.shop, dedupeKey),
      shop: input.shop,
      conversationId: conversation._id,
      dedupeKey,
      requestHash,
      direction: 'outbound',
      text,
      mediaUrls,
      discountCode: input.discountCode.trim() || null,
      status: scheduled ? 'scheduled' : 'queued',
      createdAt: now,
      recordedAt: now,
      scheduledFor: scheduled ? (quiet?.endsAt ?? null) : null,
      sentAt: null,
      quietHoursOverride: Boolean(quiet?.active && send === 'now'),
      sentBy: input.actor,
    };
    if (!(await this.messages.insertIfNew(draft))) {
      // The same key again (a retry, or two requests at once): the stored message answers.
      return repeatOrThrow(
        conflict(
          'idempotency_key_conflict',
          'a reply with this Idempotency-Key is stored but could not be read back; try again',
        ),
      );
    }
    const message = draft;

    const stored = await this.conversations.recordMessage(
      input.shop,
      conversation._id,
      message,
      {
        allowedFrom: ['unresolved', 'resolved'],
        to: 'resolved',
        causeAt: now,
        reason: 'reply_sent',
        actor: `user:${input.actor}`,
      },
      conversation,
    );
    replies.inc({ send, outcome: scheduled ? 'scheduled' : 'sent' });
    if (message.quietHoursOverride) overrides.inc();
    // The request and the live update at once: neither waits for the other, and a failure of
    // either fails the call, whose retry (same Idempotency-Key) asks again.
    await Promise.all([
      scheduled
        ? this.requests.schedule(message, conversation.subscriberId)
        : this.requests.send(message, conversation.subscriberId, subscriber.phone),
      this.announce.execute(input.shop, conversation._id, stored),
    ]);
    return { message, size };
  }

  /** The first result for a repeated key (another body with it is refused), its send asked again. */
  private async repeat(earlier: MessageRecord, requestHash: string, subscriberId: string, size: SmsSize) {
    if (earlier.requestHash !== requestHash) {
      throw new AppError(
        'unprocessable',
        'idempotency_key_reused',
        'this Idempotency-Key was used with another request',
      );
    }
    await this.askAgain(earlier, subscriberId);
    return { message: earlier, size };
  }

  /** A repeated request finishes what the first may not have: asking for the send or the release. */
  private async askAgain(message: MessageRecord, subscriberId: string): Promise<void> {
    if (message.status === 'scheduled') return this.requests.schedule(message, subscriberId);
    if (!sendMayBeUnasked(message)) return;
    const { subscriber } = await this.subscribers.get(message.shop, subscriberId);
    if (subscriber) await this.requests.send(message, subscriberId, subscriber.phone);
  }

  private textOf(input: ReplyInput): string {
    let text = input.text;
    if (input.discountCode.trim()) text = withDiscount(text, input.shop, input.discountCode);
    if (!text.trim() && !input.mediaUrl)
      throw invalid('text_required', 'text is required unless an image is sent');
    if (text.length > MAX_TEXT) throw invalid('text_too_long', `text is at most ${MAX_TEXT} characters`);
    return text;
  }

  private checkedMediaUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalid('invalid_media_url', 'mediaUrl must be an https URL of a JPEG, PNG or GIF image');
    }
    if (url.protocol !== 'https:' || !IMAGE_EXTENSION.test(url.pathname)) {
      throw invalid('invalid_media_url', 'mediaUrl must be an https URL of a JPEG, PNG or GIF image');
    }
    return url.toString();
  }
}
