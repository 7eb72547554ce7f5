import { timezoneOfAddress } from './address-timezone.js';

describe('timezoneOfAddress', () => {
  it.each([
    ['US', 'NY', 'America/New_York'],
    ['us', 'ca', 'America/Los_Angeles'],
    ['US', 'AZ', 'America/Phoenix'],
    ['US', 'HI', 'Pacific/Honolulu'],
    ['US', 'FL', null],
    ['US', 'TX', null],
    ['US', '', null],
    ['CA', 'SK', 'America/Regina'],
    ['CA', 'ON', null],
    ['GB', '', 'Europe/London'],
    ['FR', '', 'Europe/Paris'],
    ['IN', '', 'Asia/Kolkata'],
    ['NP', '', 'Asia/Kathmandu'],
    ['AU', 'NSW', null],
    ['', '', null],
    ['XX', '', null],
  ])('%s/%s → %s', (country, province, zone) => {
    expect(timezoneOfAddress(country, province)).toBe(zone);
  });
});
