import { fromTwilioStatus } from './delivery-status.js';

describe('fromTwilioStatus', () => {
  it("maps Twilio's MessageStatus", () => {
    expect(fromTwilioStatus('Delivered')).toBe('delivered');
    expect(fromTwilioStatus('accepted')).toBe('queued');
    expect(fromTwilioStatus('bogus')).toBeNull();
  });
});
