// The Twilio adapter: sends one message with the real `twilio` SDK and maps its answers and
// errors, finds a message we may have sent (to settle an unknown outcome), and fetches a sent
// message's status (the reconciliation of lost status callbacks), nothing more.
import { createTwilioClient, type TwilioAccount } from '@sms-inbox/twilio';
import type { SmsProvider } from '../domain/ports.js';

/** Connection errors that happen before a request is sent. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function twilioProvider(account: TwilioAccount): SmsProvider {
  const client = createTwilioClient(account);
  return {
    async send(sms) {
      try {
        const message = await client.messages.create({
          to: sms.to,
          from: sms.from,
          body: sms.body,
          ...(sms.mediaUrls.length ? { mediaUrl: sms.mediaUrls } : {}),
          statusCallback: sms.statusCallback,
        });
        return { outcome: 'accepted', providerSid: message.sid, status: message.status };
      } catch (err) {
        const e = err as { status?: number; code?: number | string; message?: string };
        const message = e.message ?? String(err);
        if (typeof e.status !== 'number') {
          // No HTTP answer: safe to retry only when the request cannot have reached Twilio.
          return typeof e.code === 'string' && NOT_CONNECTED.has(e.code)
            ? { outcome: 'retry', httpStatus: null, code: null, message }
            : { outcome: 'unknown', message };
        }
        const code = typeof e.code === 'number' ? e.code : null;
        if (e.status === 429 || e.status >= 500)
          return { outcome: 'retry', httpStatus: e.status, code, message };
        return { outcome: 'rejected', httpStatus: e.status, code, message };
      }
    },

    async findSent(lookup) {
      // Newest first; a message of ours that Twilio accepted is among the latest to that number.
      const recent = await client.messages.list({ to: lookup.to, from: lookup.from, limit: 200 });
      const match = recent.find(
        (m) =>
          m.direction.startsWith('outbound') &&
          m.body === lookup.body &&
          m.dateCreated instanceof Date &&
          m.dateCreated.getTime() >= lookup.since.getTime(),
      );
      return match?.sid ?? null;
    },

    async fetchStatus(providerSid) {
      try {
        const m = await client.messages(providerSid).fetch();
        return {
          status: m.status,
          errorCode: m.errorCode ?? null,
          price: m.price ?? null,
          priceUnit: m.priceUnit ?? null,
        };
      } catch (err) {
        if ((err as { status?: number }).status === 404) return null;
        throw err;
      }
    },
  };
}
