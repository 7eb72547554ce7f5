// Twilio's request signature check, with the SDK's own validator.
import { forbidden } from '@sms-inbox/platform';
import twilio from 'twilio';

export function verifyTwilioSignature(options: {
  authToken: string;
  publicBaseUrl: string;
  originalUrl: string;
  signature: string | undefined;
  params: Record<string, string>;
}): void {
  const url = options.publicBaseUrl.replace(/\/$/, '') + options.originalUrl;
  if (
    !options.signature ||
    !twilio.validateRequest(options.authToken, options.signature, url, options.params)
  ) {
    throw forbidden('invalid_signature', 'X-Twilio-Signature does not match this request');
  }
}
