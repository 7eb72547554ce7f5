// How the page words names, phones, times and failures (web/src/format.ts), pure.
import type { Message, Subscriber } from './api';
import { displayName, failureReason, formatPhone, localTime } from './format';

const subscriber = (over: Partial<Subscriber>): Subscriber => ({
  id: 's1',
  phone: '+15555550123',
  source: 'keyword',
  status: 'active',
  quietHours: { active: false },
  ...over,
});
const message = (over: Partial<Message>): Message => ({
  id: 'm1',
  conversationId: 'c1',
  direction: 'outbound',
  text: 'hi',
  mediaUrls: [],
  status: 'undelivered',
  createdAt: '2026-11-30T10:00:00Z',
  ...over,
});

it('names a subscriber by their names, else by their phone', () => {
  expect(displayName(subscriber({ firstName: 'Ana', lastName: 'Silva' }))).toBe('Ana Silva');
  expect(displayName(subscriber({ firstName: 'Ana', lastName: null }))).toBe('Ana');
  expect(displayName(subscriber({}))).toBe('+1 (555) 555-0123');
});

it('formats North American numbers and leaves the others as given', () => {
  expect(formatPhone('+14155550100')).toBe('+1 (415) 555-0100');
  expect(formatPhone('+447700900123')).toBe('+447700900123');
});

it("says why a reply was not delivered, in words when the carrier's code is a common one", () => {
  expect(failureReason(message({ errorCode: '30003' }))).toBe(
    'the phone is unreachable or switched off (error 30003)',
  );
  expect(failureReason(message({ errorCode: '12345' }))).toBe('error 12345');
  expect(failureReason(message({ errorCode: null }))).toBe('no reason given by the carrier');
  expect(failureReason(message({ status: 'delivered', errorCode: '30003' }))).toBeUndefined();
});

it("tells the subscriber's local time in their zone, and nothing for a zone it does not know", () => {
  const at = new Date('2026-11-30T12:00:00Z');
  expect(localTime('Asia/Tokyo', at)).toMatch(/^9:00\sPM GMT\+9$/);
  expect(localTime('Not/AZone', at)).toBeUndefined();
  expect(localTime(null, at)).toBeUndefined();
});
