// The Twilio adapter: sends one message with the real `twilio` SDK and maps its answers and
// errors, finds a message we may have sent (to settle an unknown outcome), and fetches a sent
// message's status (the reconciliation of lost status callbacks), nothing more.
import { createTwilioClient, type TwilioAccount } from '@sms-inbox/twilio';

export interface OutboundSms {
  to: string;
  from: string;
  body: string;
  mediaUrls: string[];
  statusCallback: string;
}

export type SendResult =
  | { outcome: 'accepted'; providerSid: string; status: string }
  /** Worth retrying later: 429, 5xx, or no connection at all (the request never reached Twilio). */
  | { outcome: 'retry'; httpStatus: number | null; code: number | null; message: string }
  /** Sent, but no answer came back (timeout, reset): Twilio may have the message. */
  | { outcome: 'unknown'; message: string }
  /** Will not work as sent: 4xx with Twilio's error code (21610: the recipient unsubscribed). */
  | { outcome: 'rejected'; httpStatus: number; code: number | null; message: string };

export interface SentLookup {
  to: string;
  from: string;
  body: string;
  /** Only messages created at or after this instant count. */
  since: Date;
}

/** What the provider knows of a sent message now. */
export interface ProviderMessage {
  /** Twilio's MessageStatus (queued, sent, delivered, undelivered…). */
  status: string;
  errorCode: number | null;
  price: string | null;
  priceUnit: string | null;
}

export interface SmsProvider {
  send(sms: OutboundSms): Promise<SendResult>;
  /** The sid of a message matching the lookup that the provider holds, or null. */
  findSent(lookup: SentLookup): Promise<string | null>;
  /** The message's status now; null when the provider has no such message (404). */
  fetchStatus(providerSid: string): Promise<ProviderMessage | null>;
}

/** Twilio's error code for a recipient who unsubscribed at the carrier (replied STOP to Twilio). */
export const UNSUBSCRIBED_RECIPIENT = 21610;

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
