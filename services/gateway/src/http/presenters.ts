// The API's JSON shapes (docs/api.md), from contract messages. ISO-8601 UTC times, nulls
// for absent values.
import type { conversationV1, subscriberV1 } from '@sms-inbox/contracts';
import type { z } from 'zod';
import type {
  consentChangeBody,
  conversationBody,
  messageBody,
  quietHoursState,
  shopBody,
  subscriberBody,
} from './schemas.js';

const iso = (d: Date | undefined | null) => (d ? new Date(d).toISOString() : null);
const isoOrEpoch = (d: Date | undefined | null) => iso(d) ?? new Date(0).toISOString();

export const presentMessage = (m: conversationV1.Message): z.infer<typeof messageBody> => ({
  id: m.id,
  conversationId: m.conversationId,
  direction: m.direction as z.infer<typeof messageBody>['direction'],
  text: m.text,
  mediaUrls: m.mediaUrls,
  discountCode: m.discountCode ?? null,
  status: m.status as z.infer<typeof messageBody>['status'],
  createdAt: isoOrEpoch(m.createdAt),
  scheduledFor: iso(m.scheduledFor),
  sentAt: iso(m.sentAt),
  quietHoursOverride: m.quietHoursOverride,
  errorCode: m.errorCode ?? null,
  sentBy: m.sentBy ?? null,
});

export const presentSubscriber = (s: subscriberV1.Subscriber): z.infer<typeof subscriberBody> => ({
  id: s.id,
  phone: s.phone,
  firstName: s.firstName ?? null,
  lastName: s.lastName ?? null,
  source: s.source as z.infer<typeof subscriberBody>['source'],
  customerUrl: s.customerUrl ?? null,
  status: s.status as z.infer<typeof subscriberBody>['status'],
  timezone: s.timezone,
  timezoneSource: (s.timezoneSource || 'shop') as z.infer<typeof subscriberBody>['timezoneSource'],
  quietHours: presentQuietHours(s),
});

const presentQuietHours = (s: subscriberV1.Subscriber): z.infer<typeof quietHoursState> => ({
  active: s.quietHours?.active ?? false,
  endsAt: iso(s.quietHours?.endsAt),
  timezone: s.timezone,
  rule: (s.quietHours?.rule || null) as z.infer<typeof quietHoursState>['rule'],
  state: s.quietHours?.state || null,
});

export const presentConversation = (
  c: conversationV1.Conversation,
  subscriber: subscriberV1.Subscriber | undefined,
) => ({
  id: c.id,
  status: c.status as z.infer<typeof conversationBody>['status'],
  lastActivityAt: isoOrEpoch(c.lastActivityAt),
  lastMessage: c.lastMessage ? presentMessage(c.lastMessage) : null,
  subscriber: subscriber ? presentSubscriber(subscriber) : null,
  quietHours: subscriber ? presentQuietHours(subscriber) : null,
});

export const presentShop = (s: subscriberV1.Shop): z.infer<typeof shopBody> => ({
  shop: s.shop,
  phoneNumber: s.phoneNumber,
  keywords: s.keywords,
  timezone: s.timezone,
  quietHours: s.quietHours ?? null,
  texts: s.texts ?? { optInConfirmation: '', help: '', optOutConfirmation: '' },
});

export const presentConsentChange = (c: subscriberV1.ConsentChange): z.infer<typeof consentChangeBody> => ({
  at: isoOrEpoch(c.at),
  from: c.from as z.infer<typeof consentChangeBody>['from'],
  to: c.to as z.infer<typeof consentChangeBody>['to'],
  source: c.source as z.infer<typeof consentChangeBody>['source'],
  detail: c.detail,
  cause: c.cause,
});
