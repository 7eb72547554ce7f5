// gRPC adapter of the conversation service.
import { conversationV1 } from '@sms-inbox/contracts';
import { type GrpcServiceBinding, unary } from '@sms-inbox/grpc';
import { invalid, type Logger, notFound } from '@sms-inbox/platform';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRepository } from '../repositories/message.repository.js';
import type { ApplyShopSettings } from '../usecases/apply-shop-settings.usecase.js';
import type { CreateReply } from '../usecases/create-reply.usecase.js';
import type { ListConversations } from '../usecases/list-conversations.usecase.js';
import type { ListMessages } from '../usecases/list-messages.usecase.js';
import type { ScheduledReplies } from '../usecases/scheduled-replies.usecase.js';
import type { SetStatusByMerchant } from '../usecases/set-status.usecase.js';
import { toConversation, toMessage } from '../views/conversation-view.js';

const requireShop = (shop: string) => {
  if (!shop) throw invalid('missing_shop', 'shop is required');
  return shop;
};

export function conversationGrpc(deps: {
  conversations: ConversationRepository;
  messages: MessageRepository;
  listConversations: ListConversations;
  listMessages: ListMessages;
  setStatus: SetStatusByMerchant;
  createReply: CreateReply;
  scheduledReplies: ScheduledReplies;
  applyShopSettings: ApplyShopSettings;
  logger: Logger;
}): GrpcServiceBinding {
  const { conversations, messages, listConversations, listMessages, setStatus, createReply, logger } = deps;
  const implementation: conversationV1.ConversationServiceServer = {
    applyShopSettings: unary(async (req: conversationV1.ApplyShopSettingsRequest) => {
      await deps.applyShopSettings.execute(req.shop);
      return {};
    }, logger),
    listConversations: unary(async (req: conversationV1.ListConversationsRequest) => {
      const page = await listConversations.execute({ ...req, q: req.query, shop: requireShop(req.shop) });
      return {
        conversations: page.items.map((item) => ({
          ...toConversation(item.conversation),
          subscriber: item.subscriber,
        })),
        nextCursor: page.nextCursor ?? undefined,
      };
    }, logger),
    getInboxSummary: unary(
      async (req: conversationV1.GetInboxSummaryRequest) => ({
        unresolved: await conversations.countUnresolved(requireShop(req.shop)),
      }),
      logger,
    ),
    getConversation: unary(async (req: conversationV1.GetConversationRequest) => {
      const shop = requireShop(req.shop);
      const conversation = req.id
        ? await conversations.findById(shop, req.id)
        : req.subscriberId
          ? await conversations.findBySubscriber(shop, req.subscriberId)
          : null;
      if (!conversation) throw notFound('conversation_not_found', 'no such conversation');
      return { conversation: toConversation(conversation) };
    }, logger),
    cancelMessage: unary(async (req: conversationV1.CancelMessageRequest) => {
      const message = await deps.scheduledReplies.cancel(requireShop(req.shop), req.id);
      return { message: toMessage(message) };
    }, logger),
    getMessage: unary(async (req: conversationV1.GetMessageRequest) => {
      const message = await messages.findById(requireShop(req.shop), req.id);
      if (!message) throw notFound('message_not_found', 'no such message');
      return { message: toMessage(message) };
    }, logger),
    listMessages: unary(async (req: conversationV1.ListMessagesRequest) => {
      const page = await listMessages.execute({ ...req, shop: requireShop(req.shop) });
      return { messages: page.items.map(toMessage), nextCursor: page.nextCursor ?? undefined };
    }, logger),
    setStatus: unary(async (req: conversationV1.SetStatusRequest) => {
      if (req.action !== 'resolve' && req.action !== 'unresolve')
        throw invalid('invalid_action', 'action is resolve or unresolve');
      const conversation = await setStatus.execute({
        shop: requireShop(req.shop),
        id: req.id,
        action: req.action,
        actor: req.actor,
      });
      return { conversation: toConversation(conversation) };
    }, logger),
    listStatusChanges: unary(async (req: conversationV1.ListStatusChangesRequest) => {
      const shop = requireShop(req.shop);
      if (!(await conversations.findById(shop, req.id)))
        throw notFound('conversation_not_found', 'no such conversation');
      const changes = await conversations.statusHistory(shop, req.id);
      return {
        changes: changes.map((c) => ({ at: c.at, from: c.from, to: c.to, reason: c.reason, actor: c.actor })),
      };
    }, logger),
    createReply: unary(async (req: conversationV1.CreateReplyRequest) => {
      const { message, size } = await createReply.execute({ ...req, shop: requireShop(req.shop) });
      return { message: toMessage(message), encoding: size.encoding, segments: size.segments };
    }, logger),
  };
  return {
    name: 'sms_inbox.conversation.v1.ConversationService',
    definition: conversationV1.ConversationServiceService,
    implementation,
  };
}
