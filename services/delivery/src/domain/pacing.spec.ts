import { NumberPacer, retryDelayMs } from './pacing.js';

describe('NumberPacer', () => {
  it('gives one number one slot per interval, in order of reservation', () => {
    const pacer = new NumberPacer(2);
    expect([0, 0, 0, 0].map(() => pacer.reserve('+14155550100', 1_000))).toEqual([0, 500, 1000, 1500]);
  });

  it('paces each number on its own', () => {
    const pacer = new NumberPacer(1);
    expect(pacer.reserve('+14155550100', 0)).toBe(0);
    expect(pacer.reserve('+14155550200', 0)).toBe(0);
    expect(pacer.reserve('+14155550100', 0)).toBe(1000);
  });

  it('does not bank unused time: a number idle for a while sends at once, then paced again', () => {
    const pacer = new NumberPacer(1);
    pacer.reserve('+14155550100', 0);
    expect(pacer.reserve('+14155550100', 60_000)).toBe(0);
    expect(pacer.reserve('+14155550100', 60_000)).toBe(1000);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new NumberPacer(0)).toThrow(RangeError);
  });
});

describe('retryDelayMs', () => {
  const options = { baseMs: 1_000, capMs: 30_000 };

  it('doubles with each attempt between half and all of the ceiling', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, options, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, options, () => 1))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never exceeds the cap', () => {
    expect(retryDelayMs(20, options, () => 1)).toBe(30_000);
    expect(retryDelayMs(20, options, () => 0)).toBe(15_000);
  });

  it('spreads attempts that fail together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, options)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
