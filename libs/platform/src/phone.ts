// Phone-number normalisation shared by every context that keys on a number.

const E164 = /^\+[1-9]\d{7,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

/** Digits only, for matching a search like "(415) 555-0101" against "+14155550101". */
export function phoneDigits(value: string): string {
  return value.replace(/\D/g, '');
}
