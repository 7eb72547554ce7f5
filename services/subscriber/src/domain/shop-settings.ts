// Rules for a shop's settings (docs/api.md `PUT /v1/shop`; docs/architecture.md, "Product rules"), pure.
import { invalid, isE164 } from '@sms-inbox/platform';

export interface ShopSettingsInput {
  phoneNumber: string;
  keywords: string[];
  timezone: string;
  quietHours: { start: string; end: string } | null;
  texts: { optInConfirmation: string; help: string; optOutConfirmation: string };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function isIanaTimezone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function defaultTexts(shop: string) {
  const name = shop.replace(/\.myshopify\.com$/, '');
  return {
    optInConfirmation: `${name}: you're subscribed to our texts. Msg & data rates may apply. Reply HELP for help, STOP to opt out.`,
    help: `${name}: reply STOP to opt out. Msg & data rates may apply.`,
    optOutConfirmation: `${name}: you're unsubscribed and will receive no more texts. Reply START to resubscribe.`,
  };
}

/** A change to a shop's settings: what is undefined keeps its value (texts: what is empty). */
export interface ShopSettingsPatch {
  phoneNumber?: string;
  keywords?: string[];
  timezone?: string;
  /** null clears the shop's own quiet window. */
  quietHours?: { start: string; end: string } | null;
  texts?: Partial<ShopSettingsInput['texts']>;
}

/** The defaults of a new shop, besides its texts (defaultTexts). */
export const SHOP_DEFAULTS = { keywords: ['JOIN'], timezone: 'America/New_York' } as const;

/**
 * A shop's settings after `patch`: over its current ones, or over the defaults for a new shop,
 * which must give its sending number. Not yet validated (validateShopSettings).
 */
export function mergeShopSettings(
  shop: string,
  current: ShopSettingsInput | null,
  patch: ShopSettingsPatch,
): ShopSettingsInput {
  const phoneNumber = patch.phoneNumber ?? current?.phoneNumber;
  if (!phoneNumber) throw invalid('phone_number_required', 'phoneNumber is required for a new shop');
  const defaults = defaultTexts(shop);
  const text = (key: keyof ShopSettingsInput['texts']) =>
    patch.texts?.[key] || current?.texts[key] || defaults[key];
  return {
    phoneNumber,
    keywords: patch.keywords ?? current?.keywords ?? [...SHOP_DEFAULTS.keywords],
    timezone: patch.timezone ?? current?.timezone ?? SHOP_DEFAULTS.timezone,
    quietHours: patch.quietHours === undefined ? (current?.quietHours ?? null) : patch.quietHours,
    texts: {
      optInConfirmation: text('optInConfirmation'),
      help: text('help'),
      optOutConfirmation: text('optOutConfirmation'),
    },
  };
}

/** Checks every rule and returns the settings normalised (keywords upper-cased, de-duplicated). */
export function validateShopSettings(input: ShopSettingsInput): ShopSettingsInput {
  if (!isE164(input.phoneNumber)) {
    throw invalid('invalid_phone_number', 'phoneNumber must be an E.164 number like +14155550100');
  }
  if (!isIanaTimezone(input.timezone))
    throw invalid('invalid_timezone', 'timezone must be an IANA zone like America/New_York');
  if (input.keywords.length > 20) throw invalid('too_many_keywords', 'at most 20 keywords');
  const keywords = [...new Set(input.keywords.map((k) => k.trim().toUpperCase()))];
  for (const k of keywords) {
    if (!/^[\p{L}\p{N}]{2,20}$/u.test(k)) {
      throw invalid('invalid_keyword', 'keywords are single words of 2 to 20 letters or digits', {
        details: { keyword: k },
      });
    }
  }
  if (input.quietHours && !(HHMM.test(input.quietHours.start) && HHMM.test(input.quietHours.end))) {
    throw invalid('invalid_quiet_hours', 'quietHours.start and quietHours.end are local times "HH:MM"');
  }
  for (const [key, text] of Object.entries(input.texts)) {
    if (typeof text !== 'string' || text.trim() === '' || text.length > 320) {
      throw invalid('invalid_text', `texts.${key} must be 1 to 320 characters`);
    }
  }
  return { ...input, keywords };
}
