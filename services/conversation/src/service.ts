// Composition of the conversation service: repositories → use cases → transports (the service
// kit opens the connections, serves the operations endpoints and stops everything in order).
import { Events, Streams, subscriberV1 } from '@sms-inbox/contracts';
import { ErasureLog } from '@sms-inbox/mongo';
import { openService, type RunningService } from '@sms-inbox/service-kit';
import { grpcSubscriberDirectory } from './adapters/subscriber-directory.adapter.js';
import type { Config } from './config.js';
import { conversationGrpc } from './grpc/conversation.grpc.js';
import { ConversationRepository } from './repositories/conversation.repository.js';
import { MessageRepository } from './repositories/message.repository.js';
import { ShopSettingsRepository } from './repositories/shop-settings.repository.js';
import { AnnounceChange } from './usecases/announce-change.js';
import { AppendInboundReply } from './usecases/append-inbound-reply.usecase.js';
import { ApplyDeliveryStatus } from './usecases/apply-delivery-status.usecase.js';
import { ApplyShopSettings } from './usecases/apply-shop-settings.usecase.js';
import { ApplySubscriberChange } from './usecases/apply-subscriber-change.usecase.js';
import { CreateReply } from './usecases/create-reply.usecase.js';
import { Erase } from './usecases/erase.usecase.js';
import { ListConversations } from './usecases/list-conversations.usecase.js';
import { ListMessages } from './usecases/list-messages.usecase.js';
import { RequestSend } from './usecases/request-send.js';
import { ScheduledReplies } from './usecases/scheduled-replies.usecase.js';
import { SetStatusByMerchant } from './usecases/set-status.usecase.js';
import { InboxSubscribers } from './views/inbox-subscribers.js';

/** The streams it publishes to or consumes from. */
const STREAMS = [Streams.subscriber, Streams.conversation, Streams.delivery, Streams.scheduler];

export type ConversationService = RunningService<{ httpPort: number; grpcPort: number }>;

export async function startConversation(config: Readonly<Config>): Promise<ConversationService> {
  const kit = await openService('conversation', config, STREAMS);
  const { logger, bus, mongo } = kit;

  const conversations = new ConversationRepository(mongo);
  const messages = new MessageRepository(mongo);
  const erasures = new ErasureLog(mongo);
  const shopSettings = new ShopSettingsRepository(mongo);
  await Promise.all([conversations.init(), messages.init()]);

  const announce = new AnnounceChange(conversations, bus);

  const subscriberClient = kit.client(subscriberV1.SubscriberServiceClient, config.SUBSCRIBER_GRPC_ADDR);
  const directory = grpcSubscriberDirectory(subscriberClient);
  const applySubscriberChange = new ApplySubscriberChange(conversations, announce, directory);
  const listConversations = new ListConversations(
    conversations,
    messages,
    new InboxSubscribers(subscriberClient, shopSettings),
  );
  const listMessages = new ListMessages(conversations, messages);
  const erase = new Erase(conversations, messages, erasures, shopSettings);
  const applyShopSettings = new ApplyShopSettings(shopSettings);
  const appendInboundReply = new AppendInboundReply(
    conversations,
    messages,
    announce,
    erase,
    applySubscriberChange,
  );
  const setStatus = new SetStatusByMerchant(conversations, announce);
  const requestSend = new RequestSend(bus);
  const createReply = new CreateReply(conversations, messages, directory, announce, requestSend);
  const applyDeliveryStatus = new ApplyDeliveryStatus(messages, announce);
  const scheduledReplies = new ScheduledReplies(
    conversations,
    messages,
    directory,
    requestSend,
    announce,
    bus,
  );

  const grpc = await kit.serveGrpc(config.GRPC_PORT, [
    conversationGrpc({
      conversations,
      messages,
      listConversations,
      listMessages,
      setStatus,
      createReply,
      scheduledReplies,
      applyShopSettings,
      logger,
    }),
  ]);
  const http = await kit.serveHttp(config.HTTP_PORT);

  await kit.consume(
    {
      event: Events.deliveryStatusChanged,
      durable: 'conversation-delivery-status',
      orderingKey: (e) => e.messageId,
    },
    (e, delivery) => applyDeliveryStatus.execute(e, delivery),
  );
  await kit.consume(
    {
      event: Events.replyReleased,
      durable: 'conversation-reply-released',
      orderingKey: (e) => e.messageId,
    },
    (e) => scheduledReplies.release(e),
  );
  await kit.consume(
    {
      event: Events.replyReceived,
      durable: 'conversation-reply-received',
      orderingKey: (e) => `${e.shop}|${e.subscriber?.id}`,
    },
    (e) => appendInboundReply.execute(e),
  );
  await kit.consume({ event: Events.subscriberRedacted, durable: 'conversation-subscriber-redacted' }, (e) =>
    erase.subscriber(e),
  );
  await kit.consume({ event: Events.shopRedacted, durable: 'conversation-shop-redacted' }, (e) =>
    erase.shop(e),
  );
  await kit.consume({ event: Events.shopChanged, durable: 'conversation-shop-changed' }, (e) =>
    applyShopSettings.execute(e.shop),
  );
  await kit.consume(
    {
      event: Events.subscriberChanged,
      durable: 'conversation-subscriber-changed',
      orderingKey: (e) => `${e.subscriber?.shop}|${e.subscriber?.id}`,
    },
    (e) => applySubscriberChange.execute(e),
  );

  return kit.running({ httpPort: http.port, grpcPort: grpc.port });
}
