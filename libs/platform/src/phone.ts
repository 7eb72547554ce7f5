// Phone numbers: E.164 everywhere. Parsing uses libphonenumber's metadata (maintained), so
// "(415) 555-0101" with a US default and "+1 415-555-0101" both become "+14155550101".
import { createHash } from 'node:crypto';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

const E164 = /^\+[1-9]\d{7,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

/**
 * The number in E.164, or null when it cannot be a phone number. "Possible" (right length for its
 * country) rather than "valid" (an assigned range): test and fictional ranges such as 555 are
 * real inputs here, and carriers, not us, decide what is reachable.
 */
export function normalizePhone(raw: string | null | undefined, defaultCountry = 'US'): string | null {
  if (!raw || raw.length > 40) return null;
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultCountry.toUpperCase() as CountryCode);
  if (!parsed?.isPossible()) return null;
  return parsed.number;
}

/** Digits only, for matching a search like "(415) 555-0101" against "+14155550101". */
export function phoneDigits(value: string): string {
  return value.replace(/\D/g, '');
}

/**
 * A one-way key for "this shop's customer with this phone": services that must find a
 * customer's records for erasure keep it instead of the number itself.
 */
export function partyHash(shop: string, phone: string): string {
  return createHash('sha256').update(`${shop}\n${phone}`).digest('hex');
}
