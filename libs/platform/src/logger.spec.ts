import { maskPhone } from './logger.js';
import { isE164, phoneDigits } from './phone.js';

describe('phones', () => {
  it('masks the middle of a phone number in logs', () => {
    expect(maskPhone('+14155550101')).toBe('+1415***0101');
    expect(maskPhone('12345')).toBe('***');
  });

  it.each([
    ['+14155550101', true],
    ['+447911123456', true],
    ['14155550101', false],
    ['+0123456789', false],
    ['+1 415 555 0101', false],
  ])('isE164(%s) is %s', (value, expected) => {
    expect(isE164(value)).toBe(expected);
  });

  it('keeps digits only for search', () => {
    expect(phoneDigits('+1 (415) 555-0101')).toBe('14155550101');
  });
});
