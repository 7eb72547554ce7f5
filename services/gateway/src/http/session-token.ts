// Shopify session tokens (docs/api.md): HS256 JWTs signed with the app secret, `aud` = the app's
// client id, `dest` = https://<shop>, `iss` = https://<shop>/admin. The shop is dest's host.
import { unauthenticated } from '@sms-inbox/platform';
import { errors, jwtVerify } from 'jose';

export interface Session {
  shop: string;
  /** The staff user. */
  userId: string;
}

export interface SessionVerifier {
  verify(authorization: string | undefined): Promise<Session>;
}

export function sessionVerifier(options: {
  apiKey: string;
  apiSecret: string;
  clockSkewSeconds: number;
}): SessionVerifier {
  const key = new TextEncoder().encode(options.apiSecret);
  return {
    async verify(authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!match) throw unauthenticated('missing_token', 'Authorization: Bearer <session token> is required');
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(match[1]!, key, {
          algorithms: ['HS256'],
          audience: options.apiKey,
          clockTolerance: options.clockSkewSeconds,
          requiredClaims: ['exp', 'dest', 'iss'],
        }));
      } catch (err) {
        if (err instanceof errors.JWTExpired)
          throw unauthenticated('token_expired', 'the session token has expired', { cause: err });
        throw unauthenticated('invalid_token', 'the session token is not valid', { cause: err });
      }
      const shop = shopOf(payload.dest);
      if (!shop || payload.iss !== `https://${shop}/admin`) {
        throw unauthenticated('invalid_token', 'the session token names no shop');
      }
      return { shop, userId: typeof payload.sub === 'string' ? payload.sub : '' };
    },
  };
}

function shopOf(dest: unknown): string | null {
  if (typeof dest !== 'string') return null;
  try {
    const url = new URL(dest);
    if (url.protocol !== 'https:' || url.pathname !== '/' || url.port || !url.hostname.includes('.'))
      return null;
    return url.hostname.toLowerCase();
  } catch {
    return null;
  }
}
