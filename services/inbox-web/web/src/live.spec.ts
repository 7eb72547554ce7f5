// The page's reading of the text/event-stream format (web/src/live.ts), pure.
import { parseBlock } from './live';

it('reads an event with its id, type and data', () => {
  expect(parseBlock('id: 42\nevent: conversation.changed\ndata: {"unresolved":3}')).toEqual({
    id: '42',
    type: 'conversation.changed',
    data: '{"unresolved":3}',
  });
});

it('joins data lines, and gives nothing for a heartbeat comment or a retry line', () => {
  expect(parseBlock('data: a\ndata: b')?.data).toBe('a\nb');
  expect(parseBlock(': heartbeat')).toBeUndefined();
  expect(parseBlock('retry: 2000')).toBeUndefined();
});

it('keeps a value that has no space after the colon, and a colon inside the value', () => {
  expect(parseBlock('event:ready\ndata:{"a":"b:c"}')).toEqual({ type: 'ready', data: '{"a":"b:c"}' });
});
