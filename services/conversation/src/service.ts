// Composition of the conversation service: connections → repositories → use cases → transports.
import { connectBus } from '@sms-inbox/bus';
import { Events, Streams, subscriberV1 } from '@sms-inbox/contracts';
import { createClient, startGrpcServer } from '@sms-inbox/grpc';
import { createHttpApp, finishHttpApp, listen } from '@sms-inbox/http';
import { connectMongo, pingMongo } from '@sms-inbox/mongo';
import { createLogger, type Running, stopAll } from '@sms-inbox/platform';
import type { Config } from './config.js';
import { conversationGrpc } from './grpc/conversation.grpc.js';
import { ConversationRepository } from './repositories/conversation.repository.js';
import { ErasureRepository } from './repositories/erasure.repository.js';
import { MessageRepository } from './repositories/message.repository.js';
import { AnnounceChange } from './usecases/announce-change.js';
import { AppendInboundReply } from './usecases/append-inbound-reply.usecase.js';
import { ApplyDeliveryStatus } from './usecases/apply-delivery-status.usecase.js';
import { ApplySubscriberChange } from './usecases/apply-subscriber-change.usecase.js';
import { CreateReply } from './usecases/create-reply.usecase.js';
import { Erase } from './usecases/erase.usecase.js';
import { InboxSubscribers } from './usecases/inbox-subscribers.js';
import { ListConversations } from './usecases/list-conversations.usecase.js';
import { ListMessages } from './usecases/list-messages.usecase.js';
import { RequestSend } from './usecases/request-send.js';
import { ScheduledReplies } from './usecases/scheduled-replies.usecase.js';
import { SetStatusByMerchant } from './usecases/set-status.usecase.js';

export interface ConversationService extends Running {
  httpPort: number;
  grpcPort: number;
}

export async function startConversation(config: Readonly<Config>): Promise<ConversationService> {
  const logger = createLogger('conversation', config.LOG_LEVEL);
  const mongo = await connectMongo({ uri: config.MONGODB_URI, database: config.MONGODB_DATABASE, logger });
  const bus = await connectBus({
    url: config.NATS_URL,
    name: 'conversation',
    logger,
    replicas: config.NATS_STREAM_REPLICAS,
    ackWaitMs: config.NATS_ACK_WAIT_MS,
  });
  await bus.ensureStreams([Streams.subscriber, Streams.conversation, Streams.delivery, Streams.scheduler]);

  const conversations = new ConversationRepository(mongo);
  const messages = new MessageRepository(mongo);
  const erasures = new ErasureRepository(mongo);
  await Promise.all([conversations.init(), messages.init()]);

  const announce = new AnnounceChange(conversations, bus);

  const subscriberClient = createClient(subscriberV1.SubscriberServiceClient, config.SUBSCRIBER_GRPC_ADDR);
  const applySubscriberChange = new ApplySubscriberChange(conversations, announce, subscriberClient);
  const listConversations = new ListConversations(
    conversations,
    messages,
    new InboxSubscribers(subscriberClient),
  );
  const listMessages = new ListMessages(conversations, messages);
  const erase = new Erase(conversations, messages, erasures);
  const appendInboundReply = new AppendInboundReply(
    conversations,
    messages,
    announce,
    erase,
    applySubscriberChange,
  );
  const setStatus = new SetStatusByMerchant(conversations, announce);
  const requestSend = new RequestSend(bus);
  const createReply = new CreateReply(conversations, messages, subscriberClient, announce, requestSend);
  const applyDeliveryStatus = new ApplyDeliveryStatus(messages, announce);
  const scheduledReplies = new ScheduledReplies(
    conversations,
    messages,
    subscriberClient,
    requestSend,
    announce,
    bus,
  );

  const grpc = await startGrpcServer({
    port: config.GRPC_PORT,
    services: [
      conversationGrpc({
        conversations,
        messages,
        listConversations,
        listMessages,
        setStatus,
        createReply,
        scheduledReplies,
        logger,
      }),
    ],
    logger,
  });
  const app = createHttpApp({
    logger,
    readiness: [
      { name: 'nats', check: () => bus.isReady() },
      { name: 'mongodb', check: () => pingMongo(mongo) },
    ],
  });
  finishHttpApp(app, logger);
  const http = await listen(app, config.HTTP_PORT);

  const consumers = [
    await bus.consume(
      {
        event: Events.deliveryStatusChanged,
        durable: 'conversation-delivery-status',
        orderingKey: (e) => e.messageId,
      },
      (e) => applyDeliveryStatus.execute(e),
    ),
    await bus.consume(
      {
        event: Events.replyReleased,
        durable: 'conversation-reply-released',
        orderingKey: (e) => e.messageId,
      },
      (e) => scheduledReplies.release(e),
    ),
    await bus.consume(
      {
        event: Events.replyReceived,
        durable: 'conversation-reply-received',
        orderingKey: (e) => `${e.shop}|${e.subscriber?.id}`,
      },
      (e) => appendInboundReply.execute(e),
    ),
    await bus.consume(
      { event: Events.subscriberRedacted, durable: 'conversation-subscriber-redacted' },
      (e) => erase.subscriber(e),
    ),
    await bus.consume({ event: Events.shopRedacted, durable: 'conversation-shop-redacted' }, (e) =>
      erase.shop(e),
    ),
    await bus.consume(
      {
        event: Events.subscriberChanged,
        durable: 'conversation-subscriber-changed',
        orderingKey: (e) => `${e.subscriber?.shop}|${e.subscriber?.id}`,
      },
      (e) => applySubscriberChange.execute(e),
    ),
  ];

  return {
    httpPort: http.port,
    grpcPort: grpc.port,
    stop: () =>
      stopAll([
        ...consumers.map((c) => () => c.drain()),
        () => grpc.stop(),
        () => subscriberClient.close(),
        () => http.close(),
        () => bus.close(),
        () => mongo.close(),
      ]),
  };
}
