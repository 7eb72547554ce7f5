// The timezone an address pins down, pure: a country with a single zone, or a US state or
// Canadian province that lies in one zone. Anything else (Florida's panhandle, Indiana, Texas'
// El Paso, …) pins nothing down and the phone number or the shop decides instead.
import { getCountry } from 'countries-and-timezones';

const SINGLE_ZONE_REGIONS: Record<string, string> = {
  // United States
  'US-AL': 'America/Chicago',
  'US-AR': 'America/Chicago',
  'US-AZ': 'America/Phoenix',
  'US-CA': 'America/Los_Angeles',
  'US-CO': 'America/Denver',
  'US-CT': 'America/New_York',
  'US-DC': 'America/New_York',
  'US-DE': 'America/New_York',
  'US-GA': 'America/New_York',
  'US-HI': 'Pacific/Honolulu',
  'US-IA': 'America/Chicago',
  'US-IL': 'America/Chicago',
  'US-LA': 'America/Chicago',
  'US-MA': 'America/New_York',
  'US-MD': 'America/New_York',
  'US-ME': 'America/New_York',
  'US-MN': 'America/Chicago',
  'US-MO': 'America/Chicago',
  'US-MS': 'America/Chicago',
  'US-MT': 'America/Denver',
  'US-NC': 'America/New_York',
  'US-NH': 'America/New_York',
  'US-NJ': 'America/New_York',
  'US-NM': 'America/Denver',
  'US-NY': 'America/New_York',
  'US-OH': 'America/New_York',
  'US-OK': 'America/Chicago',
  'US-PA': 'America/New_York',
  'US-RI': 'America/New_York',
  'US-SC': 'America/New_York',
  'US-UT': 'America/Denver',
  'US-VA': 'America/New_York',
  'US-VT': 'America/New_York',
  'US-WA': 'America/Los_Angeles',
  'US-WI': 'America/Chicago',
  'US-WV': 'America/New_York',
  'US-WY': 'America/Denver',
  'US-PR': 'America/Puerto_Rico',
  // Canada
  'CA-AB': 'America/Edmonton',
  'CA-MB': 'America/Winnipeg',
  'CA-NB': 'America/Moncton',
  'CA-NS': 'America/Halifax',
  'CA-PE': 'America/Halifax',
  'CA-SK': 'America/Regina',
  'CA-YT': 'America/Whitehorse',
};

export function timezoneOfAddress(countryCode: string, provinceCode: string): string | null {
  const country = countryCode.toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) return null;
  const region = SINGLE_ZONE_REGIONS[`${country}-${provinceCode.toUpperCase()}`];
  if (region) return region;
  const zones = getCountry(country)?.timezones ?? [];
  return zones.length === 1 ? zones[0]! : null;
}
