import type { Bus } from '@sms-inbox/bus';
import type { MessageRecord } from '../repositories/message.repository.js';
import { RequestSend } from './request-send.js';

it('asks for a send or a release keyed by the message id, so asking again never sends twice', async () => {
  const ids: string[] = [];
  const bus = {
    publish: async (_e: unknown, _m: unknown, { msgId }: { msgId: string }) => {
      ids.push(msgId);
      return { duplicate: false, seq: 1 };
    },
  } as unknown as Bus;
  const requests = new RequestSend(bus);
  const message = {
    _id: 'm1',
    shop: 'a.myshopify.com',
    conversationId: 'c1',
    text: 'hi',
    mediaUrls: [],
    scheduledFor: new Date(),
  } as unknown as MessageRecord;
  await requests.send(message, 's1', '+14155550101');
  await requests.send(message, 's1', '+14155550101');
  await requests.schedule(message, 's1');
  expect(ids).toEqual(['send:m1', 'send:m1', expect.stringContaining('m1')]);
});
