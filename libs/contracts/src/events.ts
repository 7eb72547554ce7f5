// Every event on the bus: its subject (`<domain>.<event>.v<N>`, never renamed) and its
// protobuf codec. Publishers and consumers name events only through this map. What an event
// type and a stream are is declared here once; the bus (libs/bus) moves them, and keeps its own
// dead-letter stream.

import {
  ConversationChanged,
  ReplyCanceled,
  ReplyScheduled,
  SendRequested,
} from './gen/sms_inbox/conversation/v1/conversation.js';
import { DeliveryStatusChanged } from './gen/sms_inbox/delivery/v1/events.js';
import {
  DeliveryStatusReceived,
  ShopifyWebhookReceived,
  SmsReceived,
} from './gen/sms_inbox/ingestion/v1/events.js';
import { ReplyReleased } from './gen/sms_inbox/scheduler/v1/events.js';
import {
  AutoReplyRequested,
  ReplyReceived,
  ShopChanged,
  ShopRedacted,
  SubscriberChanged,
  SubscriberRedacted,
} from './gen/sms_inbox/subscriber/v1/subscriber.js';

export interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

export interface EventType<T> {
  subject: string;
  stream: string;
  codec: Codec<T>;
}

export interface StreamSpec {
  name: string;
  subjects: readonly string[];
}

const event = <T>(stream: string, subject: string, codec: Codec<T>): EventType<T> => ({
  stream,
  subject,
  codec,
});

export const Streams = {
  ingestion: { name: 'INGESTION', subjects: ['ingestion.>'] },
  subscriber: { name: 'SUBSCRIBER', subjects: ['subscriber.>'] },
  conversation: { name: 'CONVERSATION', subjects: ['conversation.>'] },
  delivery: { name: 'DELIVERY', subjects: ['delivery.>'] },
  scheduler: { name: 'SCHEDULER', subjects: ['scheduler.>'] },
} as const satisfies Record<string, StreamSpec>;

export const Events = {
  smsReceived: event(Streams.ingestion.name, 'ingestion.sms_received.v1', SmsReceived),
  shopifyWebhookReceived: event(
    Streams.ingestion.name,
    'ingestion.shopify_webhook.v1',
    ShopifyWebhookReceived,
  ),
  autoReplyRequested: event(
    Streams.subscriber.name,
    'subscriber.auto_reply_requested.v1',
    AutoReplyRequested,
  ),
  subscriberRedacted: event(Streams.subscriber.name, 'subscriber.subscriber_redacted.v1', SubscriberRedacted),
  shopRedacted: event(Streams.subscriber.name, 'subscriber.shop_redacted.v1', ShopRedacted),
  shopChanged: event(Streams.subscriber.name, 'subscriber.shop_changed.v1', ShopChanged),
  replyReceived: event(Streams.subscriber.name, 'subscriber.reply_received.v1', ReplyReceived),
  subscriberChanged: event(Streams.subscriber.name, 'subscriber.subscriber_changed.v1', SubscriberChanged),
  deliveryStatusReceived: event(
    Streams.ingestion.name,
    'ingestion.delivery_status.v1',
    DeliveryStatusReceived,
  ),
  sendRequested: event(Streams.conversation.name, 'conversation.send_requested.v1', SendRequested),
  deliveryStatusChanged: event(Streams.delivery.name, 'delivery.status_changed.v1', DeliveryStatusChanged),
  conversationChanged: event(Streams.conversation.name, 'conversation.changed.v1', ConversationChanged),
  replyScheduled: event(Streams.conversation.name, 'conversation.reply_scheduled.v1', ReplyScheduled),
  replyCanceled: event(Streams.conversation.name, 'conversation.reply_canceled.v1', ReplyCanceled),
  replyReleased: event(Streams.scheduler.name, 'scheduler.reply_released.v1', ReplyReleased),
} as const;
