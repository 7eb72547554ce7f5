import type { SubscriberDirectory } from '../domain/ports.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRecord, MessageRepository } from '../repositories/message.repository.js';
import type { AnnounceChange } from './announce-change.js';
import { CreateReply, type ReplyInput } from './create-reply.usecase.js';
import type { RequestSend } from './request-send.js';

const QUIET_END = new Date('2026-12-01T13:00:00Z');

function setup(options: { status?: string; quiet?: boolean; conversationStatus?: string } = {}) {
  let status = options.status ?? 'active';
  const calls: string[] = [];
  const stored = new Map<string, MessageRecord>();
  const conversations = {
    findById: async (shop: string, id: string) =>
      shop === 'a.myshopify.com' && id === 'c1'
        ? { _id: 'c1', subscriberId: 's1', status: options.conversationStatus ?? 'unresolved' }
        : null,
    recordMessage: async (_shop: string, _id: string, _m: MessageRecord, move: { to: string }) => {
      calls.push(`conversation → ${move.to}`);
      return null;
    },
  } as unknown as ConversationRepository;
  const messages = {
    findByDedupeKey: async (_shop: string, key: string) =>
      [...stored.values()].find((m) => m.dedupeKey === key) ?? null,
    insertIfNew: async (m: MessageRecord) => {
      if (stored.has(m._id)) {
        calls.push(`store ${m.status}: stored already`);
        return false;
      }
      calls.push(`store ${m.status}`);
      stored.set(m._id, m);
      return true;
    },
  } as unknown as MessageRepository;
  const directory: SubscriberDirectory = {
    get: async () => ({
      version: 1,
      subscriber: {
        id: 's1',
        phone: '+14155550101',
        status,
        timezone: 'America/New_York',
        quietHours: options.quiet ? { active: true, endsAt: QUIET_END, rule: 'shop' } : { active: false },
      } as never,
    }),
    find: async () => null,
  };
  const announce = {
    execute: async () => {
      calls.push('announce');
    },
  } as unknown as AnnounceChange;
  const requests = {
    send: async (m: MessageRecord, _s: string, to: string) => {
      calls.push(`request send ${m._id === [...stored.keys()][0] ? 'm' : '?'} to ${to}`);
    },
    schedule: async () => {
      calls.push('request schedule');
    },
  } as unknown as RequestSend;
  return {
    calls,
    optOut: () => {
      status = 'opted_out';
    },
    reply: new CreateReply(conversations, messages, directory, announce, requests),
  };
}

const input = (fields: Partial<ReplyInput> = {}): ReplyInput => ({
  shop: 'a.myshopify.com',
  conversationId: 'c1',
  text: 'It ships today',
  mediaUrl: '',
  discountCode: '',
  send: '',
  idempotencyKey: 'k1',
  actor: '42',
  ...fields,
});

it('stores the reply, resolves the conversation, then asks delivery to send it and announces it', async () => {
  const { calls, reply } = setup();
  const out = await reply.execute(input());
  expect(out.message).toMatchObject({ status: 'queued', quietHoursOverride: false, sentBy: '42' });
  expect(out.size).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  expect(calls).toEqual([
    'store queued',
    'conversation → resolved',
    'request send m to +14155550101',
    'announce',
  ]);
});

it('answers a repeated Idempotency-Key with the first reply and asks again, and refuses it with another body', async () => {
  const { calls, reply } = setup();
  const first = await reply.execute(input());
  calls.length = 0;
  const again = await reply.execute(input());
  expect(again.message._id).toBe(first.message._id);
  expect(calls).toEqual(['store queued: stored already', 'request send m to +14155550101']);
  await expect(reply.execute(input({ text: 'something else' }))).rejects.toMatchObject({
    code: 'idempotency_key_reused',
  });
});

it('holds a reply in quiet hours: 409 with the window, an override with "now", a release with "scheduled"', async () => {
  const auto = setup({ quiet: true });
  await expect(auto.reply.execute(input())).rejects.toMatchObject({
    code: 'quiet_hours',
    details: { quietHours: { endsAt: QUIET_END.toISOString(), timezone: 'America/New_York' } },
  });
  expect(auto.calls).toEqual([]);
  const now = setup({ quiet: true });
  expect((await now.reply.execute(input({ send: 'now' }))).message.quietHoursOverride).toBe(true);
  const scheduled = setup({ quiet: true });
  const later = await scheduled.reply.execute(input({ send: 'scheduled' }));
  expect(later.message).toMatchObject({ status: 'scheduled', scheduledFor: QUIET_END });
  expect(scheduled.calls).toContain('request schedule');
});

it('refuses an opted-out subscriber, and bad input, before storing anything', async () => {
  const optedOut = setup({ status: 'opted_out' });
  await expect(optedOut.reply.execute(input())).rejects.toMatchObject({ code: 'subscriber_opted_out' });
  const { calls, reply } = setup();
  await expect(reply.execute(input({ text: '  ' }))).rejects.toMatchObject({ code: 'text_required' });
  await expect(reply.execute(input({ mediaUrl: 'http://x.example/a.png' }))).rejects.toMatchObject({
    code: 'invalid_media_url',
  });
  await expect(reply.execute(input({ send: 'later' }))).rejects.toMatchObject({ code: 'invalid_send' });
  expect([...optedOut.calls, ...calls]).toEqual([]);
});

it('answers a repeated Idempotency-Key with the first reply even after the subscriber opted out', async () => {
  const { calls, optOut, reply } = setup();
  const first = await reply.execute(input());
  optOut();
  calls.length = 0;
  expect((await reply.execute(input())).message._id).toBe(first.message._id);
  expect(calls).toEqual(['request send m to +14155550101']);
  await expect(reply.execute(input({ idempotencyKey: 'k2' }))).rejects.toMatchObject({
    code: 'subscriber_opted_out',
  });
});
