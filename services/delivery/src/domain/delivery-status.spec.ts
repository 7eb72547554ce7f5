import { fromTwilioStatus, statusSupersession } from './delivery-status.js';

describe('fromTwilioStatus', () => {
  it("maps Twilio's MessageStatus", () => {
    expect(fromTwilioStatus('Delivered')).toBe('delivered');
    expect(fromTwilioStatus('accepted')).toBe('queued');
    expect(fromTwilioStatus('bogus')).toBeNull();
  });
});

describe('statusSupersession', () => {
  const callback = (messageStatus: string) => ({ messageStatus });
  const { mayBeSuperseded, supersedes } = statusSupersession;

  it('lets steps on the way wait for a later report, never a final status or one we do not know', () => {
    expect(['queued', 'accepted', 'sending', 'sent'].map((s) => mayBeSuperseded(callback(s)))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['delivered', 'undelivered', 'failed', 'read', 'bogus'].some((s) => mayBeSuperseded(callback(s))),
    ).toBe(false);
  });

  it('drops a step once a status that ranks above it came, and nothing else', () => {
    expect(supersedes(callback('delivered'), callback('sent'))).toBe(true);
    expect(supersedes(callback('undelivered'), callback('sent'))).toBe(true);
    expect(supersedes(callback('sent'), callback('queued'))).toBe(true);
    // The same status again, a lower one, or one we do not know supersedes nothing.
    expect(supersedes(callback('sent'), callback('sent'))).toBe(false);
    expect(supersedes(callback('queued'), callback('sent'))).toBe(false);
    expect(supersedes(callback('bogus'), callback('sent'))).toBe(false);
  });
});
