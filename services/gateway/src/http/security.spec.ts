import { RateLimiter } from './security.js';

describe('RateLimiter', () => {
  it('allows the limit per minute as a burst, then asks to wait, then refills', () => {
    const limiter = new RateLimiter(3);
    const t0 = 1_000_000;
    expect([limiter.take('a', t0), limiter.take('a', t0), limiter.take('a', t0)]).toEqual([0, 0, 0]);
    expect(limiter.take('a', t0)).toBe(20);
    expect(limiter.take('b', t0)).toBe(0);
    expect(limiter.take('a', t0 + 20_000)).toBe(0);
  });
});
