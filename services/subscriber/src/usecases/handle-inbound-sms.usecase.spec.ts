import type { Bus } from '@sms-inbox/bus';
import { createLogger } from '@sms-inbox/platform';
import type { HeldText, HeldTextRepository } from '../repositories/held-text.repository.js';
import type { ShopRepository } from '../repositories/shop.repository.js';
import type { SubscriberRecord, SubscriberRepository } from '../repositories/subscriber.repository.js';
import type { Consent } from './consent.usecase.js';
import { HandleInboundSms } from './handle-inbound-sms.usecase.js';

const logger = createLogger('handle-inbound-spec', 'silent');
const SHOP = 'a.myshopify.com';

const CONSENT_AT = new Date('2026-06-01T12:00:00Z');

/**
 * `known`: the sender's status; `answers`: the sender's status at each read, in turn (a
 * subscription handled between two reads); `held`: texts held for the sender.
 */
function setup(
  known: SubscriberRecord['status'] | null,
  options: {
    answers?: Array<SubscriberRecord['status'] | null>;
    held?: HeldText[];
    erasedMeanwhile?: boolean;
  } = {},
) {
  const calls: string[] = [];
  const subscriber = (status: string) =>
    ({
      _id: 's1',
      shop: SHOP,
      phone: '+14155550101',
      status,
      firstName: null,
      lastName: null,
      consentAt: CONSENT_AT,
    }) as never;
  const shops = {
    find: async (shop: string) =>
      shop === SHOP ? { shop: SHOP, keywords: ['JOIN'], timezone: 'America/New_York' } : null,
  } as unknown as ShopRepository;
  const answers = [...(options.answers ?? [])];
  const subscribers = {
    findByPhone: async () => {
      const status = answers.length ? answers.shift() : known;
      return status ? subscriber(status) : null;
    },
  } as unknown as SubscriberRepository;
  const held = {
    hold: async (phone: string, m: { messageSid: string }) => {
      calls.push(`hold ${m.messageSid} from ${phone}`);
      return !options.erasedMeanwhile;
    },
    of: async () => options.held ?? [],
    remove: async (_shop: string, id: string) => {
      calls.push(`drop held ${id}`);
    },
  } as unknown as HeldTextRepository;
  const consent = {
    subscribe: async (_fields: unknown, cause: { id: string; source: string }) => {
      calls.push(`subscribe (${cause.source}, ${cause.id})`);
      return subscriber('active');
    },
    change: async (_s: unknown, to: string, cause: { id: string }) => {
      calls.push(`consent → ${to} (${cause.id})`);
      return subscriber(to);
    },
    settle: async (_s: unknown, _shop: unknown, _cause: unknown, extra?: string) => {
      calls.push(`settle${extra ? ` + ${extra}` : ''}`);
    },
    helpForStranger: async () => {
      calls.push('help for a stranger');
    },
  } as unknown as Consent;
  const bus = {
    publish: async (_e: unknown, m: { consentWord: boolean }, { msgId }: { msgId: string }) => {
      calls.push(`publish ${msgId}${m.consentWord ? ' (consent word)' : ''}`);
      return { duplicate: false, seq: 1 };
    },
  } as unknown as Bus;
  return { calls, handle: new HandleInboundSms(shops, subscribers, consent, held, bus, logger) };
}

const sms = (body: string, shop = SHOP) =>
  ({
    messageSid: 'SM1',
    shop,
    from: '+14155550101',
    to: '+14155550100',
    body,
    media: [],
    receivedAt: new Date(),
  }) as never;

it('subscribes a stranger who texts the keyword, the message as the cause, and passes the word on as a consent word', async () => {
  const { calls, handle } = setup(null);
  await handle.execute(sms('join'));
  // A consent word opens no conversation (the conversation service keeps it only in one that exists).
  expect(calls).toEqual(['subscribe (keyword, sms:SM1)', 'settle', 'publish reply:SM1 (consent word)']);
});

it("passes an active subscriber's text on to their conversation", async () => {
  const { calls, handle } = setup('active');
  await handle.execute(sms('where is my order?'));
  expect(calls).toEqual(['publish reply:SM1']);
});

it('opts a subscriber out on STOP and keeps the word in their history', async () => {
  const { calls, handle } = setup('active');
  await handle.execute(sms('STOP'));
  expect(calls).toEqual(['consent → opted_out (sms:SM1)', 'settle', 'publish reply:SM1 (consent word)']);
});

it("answers a stranger's HELP, holds a stranger's other texts, and ignores a text to a shop without settings", async () => {
  const help = setup(null);
  await help.handle.execute(sms('HELP'));
  expect(help.calls).toEqual(['help for a stranger']);
  const other = setup(null);
  await other.handle.execute(sms('hello?'));
  await other.handle.execute(sms('JOIN', 'gone.myshopify.com'));
  expect(other.calls).toEqual(['hold SM1 from +14155550101']);
});

it('keeps nothing more of a held text that an erasure of the number or shop dropped meanwhile', async () => {
  const { calls, handle } = setup('active', { answers: [null], erasedMeanwhile: true });
  await handle.execute(sms('hello?'));
  // The number subscribed meanwhile too, but the text was erased: it is not passed on.
  expect(calls).toEqual(['hold SM1 from +14155550101']);
});

it('passes a held text on when the sender subscribed between reading the sender and holding the text', async () => {
  const held = [heldText('SM1', 'hello?', CONSENT_AT.getTime() + 1_000)];
  const { calls, handle } = setup('active', { answers: [null], held });
  await handle.execute(sms('hello?'));
  expect(calls).toEqual(['hold SM1 from +14155550101', 'publish reply:SM1', 'drop held SM1']);
});

it('handles again, oldest first, the held texts sent since the consent (or a minute before it), and drops older ones', async () => {
  const held = [
    heldText('SM-old', 'before I checked out', CONSENT_AT.getTime() - 61_000),
    heldText('SM-skew', 'at checkout', CONSENT_AT.getTime() - 59_000),
    heldText('SM-stop', 'STOP', CONSENT_AT.getTime() + 2_000),
  ];
  const { calls, handle } = setup('active', { held });
  await handle.release({ shop: SHOP, phone: '+14155550101', consentAt: CONSENT_AT } as never);
  expect(calls).toEqual([
    'drop held SM-old',
    'publish reply:SM-skew',
    'drop held SM-skew',
    'consent → opted_out (sms:SM-stop)',
    'settle',
    'publish reply:SM-stop (consent word)',
    'drop held SM-stop',
  ]);
});

function heldText(id: string, body: string, at: number): HeldText {
  return {
    _id: id,
    shop: SHOP,
    phone: '+14155550101',
    from: '+14155550101',
    to: '+14155550100',
    accountSid: 'AC1',
    body,
    media: [],
    receivedAt: new Date(at),
    heldAt: new Date(at),
  };
}
