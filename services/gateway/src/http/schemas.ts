// Request schemas of the gateway's API: one definition validates requests.
import { z } from 'zod';

export const listConversationsQuery = z.object({
  status: z.enum(['unresolved', 'resolved', 'opted_out']).optional(),
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().max(3000).optional(),
});

export const listMessagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().max(200).optional(),
});

export const replyBody = z.object({
  text: z.string().max(5000).optional(),
  mediaUrl: z.string().max(2048).optional(),
  discountCode: z.string().max(255).optional(),
  send: z.enum(['auto', 'now', 'scheduled']).optional(),
});

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time "HH:MM"');

export const putShopBody = z
  .object({
    phoneNumber: z.string().max(20),
    keywords: z.array(z.string().max(40)).max(20),
    timezone: z.string().max(64),
    quietHours: z.object({ start: hhmm, end: hhmm }).strict().nullable(),
    texts: z
      .object({
        optInConfirmation: z.string().min(1).max(320),
        help: z.string().min(1).max(320),
        optOutConfirmation: z.string().min(1).max(320),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

// Response shapes (docs/api.md). Presenters are typed by these, and the OpenAPI document is
// generated from them, so the served JSON and the document cannot drift apart.
const isoTime = z.string().datetime().describe('ISO-8601 UTC time');

export const errorBody = z.object({
  error: z
    .object({
      code: z.string().describe('machine-readable snake_case code'),
      message: z.string().describe('human text'),
    })
    .catchall(z.unknown()),
});

export const quietHoursState = z.object({
  active: z.boolean(),
  endsAt: isoTime.nullable(),
  timezone: z.string().describe("the subscriber's timezone, in which the windows are read"),
  rule: z
    .enum(['legal', 'state', 'shop'])
    .nullable()
    .describe(
      "the window holding until endsAt: legal 21:00–08:00, state 20:00–08:00 (FL, OK, MD, WA, CT), or the shop's",
    ),
  state: z.string().nullable().describe('the stricter state, e.g. US-FL, when the state rule holds'),
});

export const subscriberBody = z.object({
  id: z.string(),
  phone: z.string().describe('E.164'),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  source: z.enum(['keyword', 'checkout']),
  customerUrl: z.string().nullable().describe('Shopify admin profile link (checkout subscribers)'),
  status: z.enum(['active', 'opted_out']),
  timezone: z.string(),
  timezoneSource: z
    .enum(['address', 'phone', 'shop'])
    .describe('checkout address when it pins one zone down, else the phone number, else the shop'),
  quietHours: quietHoursState,
});

export const messageBody = z.object({
  id: z.string(),
  conversationId: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  text: z.string(),
  mediaUrls: z.array(z.string()),
  discountCode: z.string().nullable(),
  status: z.enum([
    'received',
    'scheduled',
    'queued',
    'sent',
    'delivered',
    'undelivered',
    'failed',
    'canceled',
  ]),
  createdAt: isoTime,
  scheduledFor: isoTime.nullable(),
  sentAt: isoTime.nullable(),
  quietHoursOverride: z.boolean(),
  /** Outbound: Twilio's error code when the message failed or was undelivered (21610, 30003…). */
  errorCode: z.number().int().nullable(),
  /** Outbound: the merchant's staff user (the session token's `sub`) who sent it. */
  sentBy: z.string().nullable(),
});

export const conversationBody = z.object({
  id: z.string(),
  status: z.enum(['unresolved', 'resolved', 'opted_out']),
  lastActivityAt: isoTime,
  lastMessage: messageBody.nullable(),
  subscriber: subscriberBody.nullable(),
  quietHours: quietHoursState.nullable().describe("the subscriber's quiet hours now"),
});

export const shopBody = z.object({
  shop: z.string(),
  phoneNumber: z.string(),
  keywords: z.array(z.string()),
  timezone: z.string(),
  quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
  texts: z.object({ optInConfirmation: z.string(), help: z.string(), optOutConfirmation: z.string() }),
});

export const consentChangeBody = z.object({
  at: isoTime,
  from: z.enum(['none', 'active', 'opted_out']),
  to: z.enum(['active', 'opted_out']),
  source: z.enum(['keyword', 'consent_word', 'checkout', 'merchant', 'carrier']),
  detail: z.string(),
  cause: z.string(),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** A whole list, not paged. */
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const summaryBody = z.object({ unresolved: z.number().int().nonnegative() });

export const dataRequestBody = z.object({
  id: z.string(),
  subscriberId: z.string().nullable(),
  customerId: z.string(),
  shopifyRequestId: z.string().nullable(),
  requestedAt: isoTime.nullable(),
  exportUrl: z.string().nullable(),
});

export const exportBody = z.object({
  exportedAt: isoTime,
  shop: z.string(),
  subscriber: subscriberBody,
  consentHistory: z.array(consentChangeBody),
  conversation: conversationBody.nullable(),
  messages: z.array(messageBody),
});

export const liveEventBody = z.object({ conversation: conversationBody, unresolved: z.number().int() });

export const statusChangeBody = z.object({
  at: isoTime.nullable(),
  from: z.enum(['unresolved', 'resolved', 'opted_out']),
  to: z.enum(['unresolved', 'resolved', 'opted_out']),
  reason: z.string(),
  actor: z.string().describe('"subscriber", "system" or "user:<staff id>"'),
});

export const replyResponseBody = messageBody.extend({
  encoding: z.enum(['GSM-7', 'UCS-2']),
  segments: z.number().int().positive(),
});
