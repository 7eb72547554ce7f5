// Edge protections of the dashboard API: security headers, CORS for the configured dashboard
// origins, and a per-shop rate limit (token bucket, per gateway replica).

import type { NextFunction, Request, Response } from '@sms-inbox/http';
import { AppError } from '@sms-inbox/platform';

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  res.setHeader('Cache-Control', 'no-store');
  next();
}

export function cors(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.header('origin');
    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, PUT, POST, OPTIONS');
        res.setHeader(
          'Access-Control-Allow-Headers',
          'Authorization, Content-Type, Idempotency-Key, Last-Event-ID',
        );
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    } else if (req.method === 'OPTIONS' && req.header('access-control-request-method')) {
      // A preflight from an origin that is not a configured dashboard: no CORS headers.
      res.status(204).end();
      return;
    }
    next();
  };
}

/** Token bucket per key: `perMinute` requests a minute, bursts up to the same number. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: number) {}

  /** Takes a token; returns 0 when allowed, else the seconds until one is available. */
  take(key: string, now = Date.now()): number {
    const rate = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    if (this.buckets.size > 100_000) this.buckets.clear();
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000));
  }

  middleware(keyOf: (req: Request) => string) {
    return (req: Request, res: Response, next: NextFunction): void => {
      const wait = this.take(keyOf(req));
      if (wait === 0) {
        next();
        return;
      }
      res.setHeader('Retry-After', String(wait));
      next(
        new AppError(
          'too_many_requests',
          'rate_limited',
          `too many requests for this shop; retry in ${wait} s`,
        ),
      );
    };
  }
}
