import { lookUpPhone, usRegionOf } from './phone-geo.adapter.js';

describe('lookUpPhone', () => {
  it('finds the zones and the state of a US area code', async () => {
    expect(await lookUpPhone('+13055551234')).toEqual({ zones: ['America/New_York'], region: 'US-FL' });
    expect(await lookUpPhone('+14055551234')).toEqual({ zones: ['America/Chicago'], region: 'US-OK' });
  });

  it('finds the zones of a number abroad, with no US state', async () => {
    expect(await lookUpPhone('+442071234567')).toEqual({ zones: ['Europe/London'], region: null });
  });

  it('answers the same from its decoded maps, call after call', async () => {
    const first = await lookUpPhone('+12065551234');
    expect(first.region).toBe('US-WA');
    for (let i = 0; i < 50; i++) expect(await lookUpPhone('+12065551234')).toEqual(first);
  });

  it('gives nothing for what is not a phone number', async () => {
    expect(await lookUpPhone('not a number')).toEqual({ zones: [], region: null });
  });
});

describe('usRegionOf', () => {
  it('reads a state name or a city with its state code', () => {
    expect(usRegionOf('Florida')).toBe('US-FL');
    expect(usRegionOf('San Francisco, CA')).toBe('US-CA');
    expect(usRegionOf('Ontario')).toBeNull();
    expect(usRegionOf(null)).toBeNull();
  });
});
