// How an SMS text is encoded and into how many segments it splits, pure (3GPP TS 23.038): GSM-7
// when every character is in the GSM 03.38 default alphabet or its extension table (extension
// characters take two septets), else UCS-2. One segment holds 160 GSM-7 septets or 70 UCS-2
// units; a concatenated message loses room to its header: 153 septets or 67 units a segment.
// A UCS-2 unit is a UTF-16 code unit, so an emoji outside the BMP takes two.

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '^{}\\[~]|€\f';

const basic = new Set(GSM7_BASIC);
const extension = new Set(GSM7_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSize {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 units (UCS-2). */
  units: number;
  segments: number;
}

export function smsSize(text: string): SmsSize {
  let septets = 0;
  for (const ch of text) {
    if (basic.has(ch)) septets += 1;
    else if (extension.has(ch)) septets += 2;
    else return sized('UCS-2', text.length, 70, 67);
  }
  return sized('GSM-7', septets, 160, 153);
}

function sized(encoding: SmsEncoding, units: number, single: number, perPart: number): SmsSize {
  return { encoding, units, segments: units === 0 ? 1 : units <= single ? 1 : Math.ceil(units / perPart) };
}
