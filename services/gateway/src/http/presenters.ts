// The API's JSON shapes (API.md "Shapes"), from contract messages. ISO-8601 UTC times, nulls
// for absent values.
import type { conversationV1, subscriberV1 } from '@sms-inbox/contracts';

const iso = (d: Date | undefined | null) => (d ? new Date(d).toISOString() : null);

export const presentMessage = (m: conversationV1.Message) => ({
  id: m.id,
  conversationId: m.conversationId,
  direction: m.direction,
  text: m.text,
  mediaUrls: m.mediaUrls,
  discountCode: m.discountCode ?? null,
  status: m.status,
  createdAt: iso(m.createdAt),
  scheduledFor: iso(m.scheduledFor),
  sentAt: iso(m.sentAt),
  quietHoursOverride: m.quietHoursOverride,
});

export const presentSubscriber = (s: subscriberV1.Subscriber) => ({
  id: s.id,
  phone: s.phone,
  firstName: s.firstName ?? null,
  lastName: s.lastName ?? null,
  source: s.source,
  customerUrl: s.customerUrl ?? null,
  status: s.status,
  timezone: s.timezone,
  quietHours: { active: s.quietHours?.active ?? false, endsAt: iso(s.quietHours?.endsAt) },
});

export const presentConversation = (
  c: conversationV1.Conversation,
  subscriber: subscriberV1.Subscriber | undefined,
) => ({
  id: c.id,
  status: c.status,
  lastActivityAt: iso(c.lastActivityAt),
  lastMessage: c.lastMessage ? presentMessage(c.lastMessage) : null,
  subscriber: subscriber ? presentSubscriber(subscriber) : null,
});

export const presentShop = (s: subscriberV1.Shop) => ({
  shop: s.shop,
  phoneNumber: s.phoneNumber,
  keywords: s.keywords,
  timezone: s.timezone,
  quietHours: s.quietHours ?? null,
  texts: s.texts,
});

export const presentConsentChange = (c: subscriberV1.ConsentChange) => ({
  at: iso(c.at),
  from: c.from,
  to: c.to,
  source: c.source,
  detail: c.detail,
  cause: c.cause,
});
