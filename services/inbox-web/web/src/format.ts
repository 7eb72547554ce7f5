// How times, names and statuses read on the page.
import type { Conversation, Message, MessageStatus, Subscriber } from './api';

export function displayName(subscriber: Subscriber): string {
  const name = [subscriber.firstName, subscriber.lastName].filter(Boolean).join(' ');
  return name || formatPhone(subscriber.phone);
}

/** +15555550123 → +1 (555) 555-0123; other countries as given. */
export function formatPhone(phone: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phone);
  return us ? `+1 (${us[1]}) ${us[2]}-${us[3]}` : phone;
}

export function formatTime(iso: string | null | undefined, timeZone?: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  const sameDay = new Date().toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(undefined, {
    ...(sameDay ? {} : { month: 'short', day: 'numeric' }),
    hour: 'numeric',
    minute: '2-digit',
    ...(timeZone ? { timeZone, timeZoneName: 'short' } : {}),
  }).format(date);
}

/** The subscriber's local time now, in their zone. */
export function localTime(timeZone: string | null | undefined, now = new Date()): string | undefined {
  if (!timeZone) return undefined;
  try {
    return new Intl.DateTimeFormat(undefined, {
      hour: 'numeric',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    }).format(now);
  } catch {
    return undefined;
  }
}

export function quietHoursOf(conversation: Conversation) {
  return conversation.quietHours ?? conversation.subscriber.quietHours;
}

export const CONVERSATION_STATUS_LABEL: Record<Conversation['status'], string> = {
  unresolved: 'Unresolved',
  resolved: 'Resolved',
  opted_out: 'Opted out',
};

export const MESSAGE_STATUS_LABEL: Record<MessageStatus, string> = {
  received: 'Received',
  scheduled: 'Scheduled',
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  undelivered: 'Undelivered',
  failed: 'Failed',
  canceled: 'Canceled',
};

/** Twilio's error codes a merchant meets most, in words. */
const ERROR_REASONS: Record<string, string> = {
  '21610': 'the number has replied STOP to this sender',
  '21211': 'the number is not a valid phone number',
  '21614': 'the number cannot receive texts',
  '30003': 'the phone is unreachable or switched off',
  '30004': 'the message was blocked by the recipient',
  '30005': 'the number is unknown or no longer exists',
  '30006': 'the number is a landline or cannot receive texts',
  '30007': 'the carrier filtered the message',
  '30008': 'the carrier could not deliver it',
};

export function failureReason(message: Message): string | undefined {
  if (message.status !== 'failed' && message.status !== 'undelivered') return undefined;
  if (!message.errorCode) return 'no reason given by the carrier';
  const words = ERROR_REASONS[message.errorCode];
  return words ? `${words} (error ${message.errorCode})` : `error ${message.errorCode}`;
}
