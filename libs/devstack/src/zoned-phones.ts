// Phone numbers in a known timezone, so tests can place a keyword subscriber in a zone: each
// prefix lies in exactly one zone by Google's libphonenumber data (the subscriber service reads
// a keyword subscriber's timezone from the number), and any four last digits keep it possible.
const TEMPLATES: Record<string, string> = {
  'Pacific/Auckland': '+6421123####',
  'Australia/Sydney': '+6141234####',
  'Asia/Tokyo': '+81901234####',
  'Asia/Singapore': '+659123####',
  'Asia/Calcutta': '+91981234####',
  'Asia/Dubai': '+9715012####',
  'Europe/Moscow': '+7495123####',
  'Europe/Berlin': '+491511234####',
  'Europe/London': '+4420712####',
  'Africa/Lagos': '+234803123####',
  'America/Sao_Paulo': '+55119123####',
  'America/New_York': '+1212555####',
  'America/Chicago': '+1312555####',
  'America/Denver': '+1303555####',
  'America/Los_Angeles': '+1415555####',
  'Pacific/Honolulu': '+1808555####',
};

export const PHONE_ZONES = Object.keys(TEMPLATES);

/** The n-th (0–9999) test number in `zone`. */
export function phoneIn(zone: string, n: number): string {
  const template = TEMPLATES[zone];
  if (!template) throw new Error(`no test numbers for ${zone}`);
  return template.replace('####', String(n % 10_000).padStart(4, '0'));
}

/** The local hour and minute in `zone` at `at`. */
export function localTime(zone: string, at = new Date()): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { hour: get('hour'), minute: get('minute') };
}

/** A zone of PHONE_ZONES whose local hour now is within [fromHour, toHour]. */
export function zoneWithHour(fromHour: number, toHour: number, at = new Date()): string {
  const zone = PHONE_ZONES.find((z) => {
    const { hour } = localTime(z, at);
    return hour >= fromHour && hour <= toHour;
  });
  if (!zone) throw new Error(`no test zone has a local hour in ${fromHour}–${toHour} now`);
  return zone;
}
