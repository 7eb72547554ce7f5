// A discount code rendered into a reply with the store's auto-apply link, pure:
// https://<shop>/discount/<CODE> with the code URL-encoded.
import { invalid } from './errors.js';

const CODE = /^[\p{L}\p{N}_\-.%&+ ]{1,255}$/u;

export function discountLink(shop: string, code: string): string {
  const trimmed = code.trim();
  if (!CODE.test(trimmed))
    throw invalid('invalid_discount_code', 'discountCode must be 1 to 255 letters, digits or _-.%&+ ');
  return `https://${shop}/discount/${encodeURIComponent(trimmed)}`;
}

/** The reply text with the discount line appended. */
export function withDiscount(text: string, shop: string, code: string): string {
  const link = discountLink(shop, code);
  const line = `Use code ${code.trim()}: ${link}`;
  return text.trim() ? `${text.trimEnd()}\n${line}` : line;
}
