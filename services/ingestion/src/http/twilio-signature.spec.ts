import { twilioSignature } from '@sms-inbox/devstack';
import { verifyTwilioSignature } from './twilio-signature.js';

const params = { MessageSid: 'SM0123', From: '+14155550101', To: '+14155550100', Body: 'Hi & bye' };
const base = {
  authToken: 'secret-token',
  publicBaseUrl: 'https://hooks.example.com',
  originalUrl: '/webhooks/twilio/messages',
  params,
};
const url = 'https://hooks.example.com/webhooks/twilio/messages';

describe('verifyTwilioSignature', () => {
  it("accepts Twilio's HMAC-SHA1 over the public URL and the sorted parameters", () => {
    expect(() =>
      verifyTwilioSignature({ ...base, signature: twilioSignature('secret-token', url, params) }),
    ).not.toThrow();
  });

  it.each([
    ['a missing signature', undefined],
    ['a signature made with another token', twilioSignature('other-token', url, params)],
    [
      'a signature over another URL',
      twilioSignature('secret-token', 'https://evil.example.com/webhooks/twilio/messages', params),
    ],
    [
      'a signature over other parameters',
      twilioSignature('secret-token', url, { ...params, Body: 'changed' }),
    ],
  ])('refuses %s with invalid_signature', (_name, signature) => {
    expect(() => verifyTwilioSignature({ ...base, signature })).toThrow(
      expect.objectContaining({ code: 'invalid_signature', kind: 'forbidden' }),
    );
  });

  it('includes the query string in the signed URL', () => {
    const withQuery = { ...base, originalUrl: '/webhooks/twilio/messages?x=1' };
    expect(() =>
      verifyTwilioSignature({ ...withQuery, signature: twilioSignature('secret-token', url, params) }),
    ).toThrow();
    expect(() =>
      verifyTwilioSignature({
        ...withQuery,
        signature: twilioSignature('secret-token', `${url}?x=1`, params),
      }),
    ).not.toThrow();
  });
});
