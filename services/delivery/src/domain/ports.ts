// What delivery's use cases call outside the service, as ports: the SMS provider (Twilio, in
// adapters/twilio.adapter.ts) and the subscriber service's view of a recipient (over gRPC, in
// adapters/recipients.adapter.ts). The use cases depend on these only, so their unit tests give
// fakes and pin the order of calls.

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

/** A recipient as the subscriber service knows it now. */
export interface Recipient {
  phone: string;
  /** `active` or `opted_out`. */
  status: string;
}

export interface Recipients {
  /** The subscriber now; null when unknown or erased. */
  find(shop: string, subscriberId: string): Promise<Recipient | null>;
  /** Opts the subscriber out because the carrier said so (`cause` makes a repeat change nothing). */
  optOutByCarrier(shop: string, subscriberId: string, cause: string, detail: string): Promise<void>;
}
