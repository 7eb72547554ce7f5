// Conversations and messages as the contracts carry them.
import type { conversationV1 } from '@sms-inbox/contracts';
import type { ConversationRecord } from '../repositories/conversation.repository.js';
import type { MessageRecord } from '../repositories/message.repository.js';

export const toMessage = (m: MessageRecord): conversationV1.Message => ({
  id: m._id,
  conversationId: m.conversationId,
  direction: m.direction,
  text: m.text,
  mediaUrls: m.mediaUrls,
  discountCode: m.discountCode ?? undefined,
  status: m.status,
  createdAt: new Date(m.createdAt),
  scheduledFor: m.scheduledFor ? new Date(m.scheduledFor) : undefined,
  sentAt: m.sentAt ? new Date(m.sentAt) : undefined,
  quietHoursOverride: m.quietHoursOverride,
  errorCode: m.errorCode || undefined,
  sentBy: m.sentBy || undefined,
});

export const toConversation = (c: ConversationRecord): conversationV1.Conversation => ({
  id: c._id,
  shop: c.shop,
  subscriberId: c.subscriberId,
  status: c.status,
  lastActivityAt: c.lastActivityAt,
  lastMessage: c.lastMessage ? toMessage(c.lastMessage) : undefined,
});
