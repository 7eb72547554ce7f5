// Shopify's webhook signature: base64 HMAC-SHA256 of the raw body keyed by the app secret,
// compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { unauthenticated } from '@sms-inbox/platform';

export function verifyShopifyHmac(secret: string, rawBody: Buffer, header: string | undefined): void {
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header ?? '', 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw unauthenticated('invalid_hmac', 'X-Shopify-Hmac-Sha256 does not match this body');
  }
}
