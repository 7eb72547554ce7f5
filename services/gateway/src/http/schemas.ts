// Request schemas of the gateway's API: one definition validates requests.
import { z } from 'zod';

export const listConversationsQuery = z.object({
  status: z.enum(['unresolved', 'resolved', 'opted_out']).optional(),
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().max(200).optional(),
});

export const listMessagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().max(200).optional(),
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
