import type { Bus } from '@sms-inbox/bus';
import type { SubscriberDirectory } from '../domain/ports.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRecord, MessageRepository } from '../repositories/message.repository.js';
import type { AnnounceChange } from './announce-change.js';
import type { RequestSend } from './request-send.js';
import { ScheduledReplies } from './scheduled-replies.usecase.js';

function setup(
  options: { status?: string; providerSid?: string; subscriber?: 'active' | 'opted_out' | null } = {},
) {
  const calls: string[] = [];
  let message = {
    _id: 'm1',
    shop: 'a.myshopify.com',
    conversationId: 'c1',
    status: options.status ?? 'scheduled',
    providerSid: options.providerSid ?? null,
  };
  const messages = {
    findById: async () => message,
    transition: async (_id: string, from: string, fields: { status: string }) => {
      if (message.status !== from) return false;
      calls.push(`${from} → ${fields.status}`);
      message = { ...message, ...fields };
      return true;
    },
  } as unknown as MessageRepository;
  const conversations = {
    findById: async () => ({ _id: 'c1', subscriberId: 's1' }),
  } as unknown as ConversationRepository;
  const subscriber = options.subscriber === undefined ? 'active' : options.subscriber;
  const asked: Array<{ consentOnly?: boolean } | undefined> = [];
  const directory: SubscriberDirectory = {
    find: async (_shop, _id, options) => {
      asked.push(options);
      return subscriber
        ? { version: 1, subscriber: { id: 's1', phone: '+14155550101', status: subscriber } as never }
        : null;
    },
    get: async () => {
      throw new Error('not used');
    },
  };
  let failing = false;
  const requests = {
    send: async (_m: MessageRecord, _s: string, to: string) => {
      if (failing) {
        failing = false;
        throw new Error('broker away');
      }
      calls.push(`request send to ${to}`);
    },
  } as unknown as RequestSend;
  const announce = {
    execute: async (_shop: string, _id: string, current?: { _id: string } | null) => {
      // Given the conversation the release read, it is not read again.
      calls.push(current ? `announce ${current._id} as read` : 'announce');
    },
  } as unknown as AnnounceChange;
  const bus = {
    publish: async (_e: unknown, _m: unknown, { msgId }: { msgId: string }) => {
      calls.push(`publish ${msgId}`);
      return { duplicate: false, seq: 1 };
    },
  } as unknown as Bus;
  return {
    calls,
    asked,
    failNextSend: () => {
      failing = true;
    },
    replies: new ScheduledReplies(conversations, messages, directory, requests, announce, bus),
  };
}

const released = { messageId: 'm1', shop: 'a.myshopify.com', conversationId: 'c1' } as never;

it('releases a scheduled reply to a subscriber still active: queued, then sent', async () => {
  const { calls, asked, replies } = setup();
  await replies.release(released);
  expect(asked).toEqual([{ consentOnly: true }]); // consent and phone, no quiet hours
  expect(calls).toEqual(['scheduled → queued', 'request send to +14155550101', 'announce c1 as read']);
});

it('cancels, never sends, a reply whose subscriber opted out or was erased before the release', async () => {
  for (const subscriber of ['opted_out', null] as const) {
    const { calls, replies } = setup({ subscriber });
    await replies.release(released);
    expect(calls).toEqual(['scheduled → canceled', 'announce c1 as read']);
  }
});

it('does nothing on a release after a cancel, or after the provider took the reply', async () => {
  for (const [status, providerSid] of [['canceled'], ['queued', 'SM1'], ['sent', 'SM1'], ['failed']]) {
    const { calls, replies } = setup({ status, providerSid });
    await replies.release(released);
    expect(calls).toEqual([]);
  }
});

it('asks for the send again when a release finds its reply queued (an earlier release stopped before asking)', async () => {
  // Whatever the consent: delivery checks it again before the call.
  for (const subscriber of ['active', 'opted_out'] as const) {
    const { calls, replies } = setup({ status: 'queued', subscriber });
    await replies.release(released);
    expect(calls).toEqual(['request send to +14155550101', 'announce c1 as read']);
  }
  const erased = setup({ status: 'queued', subscriber: null });
  await erased.replies.release(released);
  expect(erased.calls).toEqual([]);
});

it('leaves a release whose send request could not be published to come again, and then asks again', async () => {
  const { calls, replies, failNextSend } = setup();
  failNextSend();
  await expect(replies.release(released)).rejects.toThrow('broker away');
  await replies.release(released);
  expect(calls).toEqual(['scheduled → queued', 'request send to +14155550101', 'announce c1 as read']);
});

it("cancels a scheduled reply on the merchant's word, tells the scheduler, and answers the same again", async () => {
  const { calls, replies } = setup();
  expect((await replies.cancel('a.myshopify.com', 'm1')).status).toBe('canceled');
  expect((await replies.cancel('a.myshopify.com', 'm1')).status).toBe('canceled');
  expect(calls).toEqual([
    'scheduled → canceled',
    'publish cancel:m1',
    'announce',
    'publish cancel:m1',
    'announce',
  ]);
  const sent = setup({ status: 'queued' });
  await expect(sent.replies.cancel('a.myshopify.com', 'm1')).rejects.toMatchObject({
    code: 'message_not_scheduled',
  });
});
