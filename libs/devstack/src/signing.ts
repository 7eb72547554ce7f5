// What Twilio, Shopify and the merchant's admin do to sign their requests, written independently
// of the services' own verification so tests check one against the other.
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';

/** X-Twilio-Signature: base64 HMAC-SHA1 over the URL and the sorted POST parameters. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

/** X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body. */
export function shopifyHmac(secret: string, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody, 'utf8').digest('base64');
}

export interface SessionTokenOptions {
  shop: string;
  apiKey: string;
  secret: string;
  sub?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
}

/** A Shopify App Bridge session token (HS256 JWT). */
export async function sessionToken(options: SessionTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ dest: `https://${options.shop}`, sid: 'demo-session' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(`https://${options.shop}/admin`)
    .setAudience(options.apiKey)
    .setSubject(options.sub ?? '42')
    .setIssuedAt(now - 5)
    .setNotBefore(now - 5)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .setJti(`${now}-${Math.random().toString(36).slice(2)}`)
    .sign(new TextEncoder().encode(options.secret));
}
