import type { SubscriberDirectory } from '../domain/ports.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { AnnounceChange } from './announce-change.js';
import { ApplySubscriberChange } from './apply-subscriber-change.usecase.js';

const subscriber = (status: string) =>
  ({ id: 's1', shop: 'a.myshopify.com', phone: '+14155550101', status }) as never;

function setup(
  options: { conversation?: boolean; current?: { status: string; version: number } | null } = {},
) {
  const calls: string[] = [];
  const conversations = {
    findBySubscriber: async () => (options.conversation === false ? null : { _id: 'c1' }),
    updateSnapshot: async (_shop: string, _id: string, snapshot: { version: number }) => {
      calls.push(`snapshot v${snapshot.version}`);
      return true;
    },
    setStatus: async (
      _shop: string,
      _id: string,
      from: string[],
      to: string,
      _at: Date,
      why: { subscriberVersion: number },
    ) => {
      calls.push(`${from.join('|')} → ${to} (v${why.subscriberVersion})`);
      return true;
    },
  } as unknown as ConversationRepository;
  const announce = {
    execute: async () => {
      calls.push('announce');
    },
  } as unknown as AnnounceChange;
  const directory: SubscriberDirectory = {
    find: async () =>
      options.current
        ? { subscriber: subscriber(options.current.status), version: options.current.version }
        : null,
    get: async () => {
      throw new Error('not used');
    },
  };
  return { calls, apply: new ApplySubscriberChange(conversations, announce, directory) };
}

it('moves an opted-out subscriber’s conversation to opted_out by their version, and back to resolved on opt-in', async () => {
  const out = setup();
  await out.apply.execute({ subscriber: subscriber('opted_out'), version: 4, changedAt: new Date() });
  expect(out.calls).toEqual(['snapshot v4', 'resolved|unresolved → opted_out (v4)', 'announce']);
  const back = setup();
  await back.apply.execute({ subscriber: subscriber('active'), version: 5, changedAt: new Date() });
  expect(back.calls).toEqual(['snapshot v5', 'opted_out → resolved (v5)', 'announce']);
});

it('opens no conversation for a subscriber who has none (a keyword opt-in)', async () => {
  const { calls, apply } = setup({ conversation: false });
  await apply.execute({ subscriber: subscriber('active'), version: 1, changedAt: new Date() });
  expect(calls).toEqual([]);
});

it('catches a new conversation up with the subscriber as it is now; nothing for one erased meanwhile', async () => {
  const current = setup({ current: { status: 'opted_out', version: 2 } });
  await current.apply.catchUp('a.myshopify.com', 's1');
  expect(current.calls).toEqual(['snapshot v2', 'resolved|unresolved → opted_out (v2)', 'announce']);
  const erased = setup({ current: null });
  await erased.apply.catchUp('a.myshopify.com', 's1');
  expect(erased.calls).toEqual([]);
});
