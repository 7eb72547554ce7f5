// Shopify webhook payloads (the topics in docs/api.md) checked and normalised at the edge, pure. Profile
// topics may lack a phone (an email-only customer); consent needs one. Older API versions carry
// `sms_marketing_consent` inside `customers/*`; `customers_marketing_consent/update` carries it
// on its own (API 2025-01+): both give the same ShopifyCustomer.
import type { ingestionV1 } from '@sms-inbox/contracts';
import { invalid, normalizePhone } from '@sms-inbox/platform';
import { z } from 'zod';

export const CUSTOMER_TOPICS = [
  'customers/create',
  'customers/update',
  'customers_marketing_consent/update',
] as const;
export const PRIVACY_TOPICS = ['customers/redact', 'shop/redact', 'customers/data_request'] as const;
export type HandledTopic = (typeof CUSTOMER_TOPICS)[number] | (typeof PRIVACY_TOPICS)[number];

export function isHandledTopic(topic: string): topic is HandledTopic {
  return (
    (CUSTOMER_TOPICS as readonly string[]).includes(topic) ||
    (PRIVACY_TOPICS as readonly string[]).includes(topic)
  );
}

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).transform(String);
const text = z.string().max(255).nullish();
const address = z
  .object({ country_code: text, province_code: text, zip: text })
  .partial()
  .passthrough()
  .nullish();
const smsConsent = z
  .object({
    state: z.string().max(40),
    opt_in_level: text,
    consent_updated_at: z.string().datetime({ offset: true }).nullish(),
    consent_collected_from: text,
  })
  .passthrough()
  .nullish();
const customer = z
  .object({
    id,
    phone: text,
    first_name: text,
    last_name: text,
    default_address: address,
    addresses: z.array(address).max(100).nullish(),
    sms_marketing_consent: smsConsent,
  })
  .passthrough();

const privacy = z
  .object({
    customer: z.object({ id, phone: text }).passthrough().nullish(),
    data_request: z.object({ id }).passthrough().nullish(),
  })
  .passthrough();

function check<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(
      'invalid_payload',
      `the webhook body is not a valid payload for its topic (${issue?.path.join('.')}: ${issue?.message})`,
    );
  }
  return parsed.data;
}

function normalisedPhone(raw: string | null | undefined, country: string | null | undefined): string {
  if (!raw) return '';
  const phone = normalizePhone(raw, country || 'US');
  if (!phone) throw invalid('invalid_phone', 'the customer phone is not a phone number');
  return phone;
}

export function parseShopifyPayload(
  topic: HandledTopic,
  body: unknown,
): {
  customer?: ingestionV1.ShopifyCustomer;
  dataRequestId: string;
} {
  if (topic === 'shop/redact') return { dataRequestId: '' };
  if (topic === 'customers/redact' || topic === 'customers/data_request') {
    const p = check(privacy, body);
    if (!p.customer) throw invalid('missing_customer', 'the payload names no customer');
    const phone = p.customer.phone ? (normalizePhone(p.customer.phone) ?? '') : '';
    return {
      customer: {
        id: p.customer.id,
        phone,
        firstName: '',
        lastName: '',
        countryCode: '',
        provinceCode: '',
        zip: '',
      },
      dataRequestId: p.data_request?.id ?? '',
    };
  }
  const c = check(customer, body);
  const addr = c.default_address ?? c.addresses?.[0] ?? null;
  const consent = c.sms_marketing_consent;
  if (topic === 'customers_marketing_consent/update' && !consent) {
    throw invalid('missing_consent', 'customers_marketing_consent/update needs sms_marketing_consent');
  }
  const phone = normalisedPhone(c.phone, addr?.country_code);
  if (consent && !phone) throw invalid('missing_phone', 'SMS consent needs the customer phone');
  return {
    customer: {
      id: c.id,
      phone,
      firstName: c.first_name ?? '',
      lastName: c.last_name ?? '',
      smsConsent: consent
        ? {
            state: consent.state.toLowerCase(),
            updatedAt: consent.consent_updated_at ? new Date(consent.consent_updated_at) : undefined,
            optInLevel: consent.opt_in_level ?? '',
            collectedFrom: consent.consent_collected_from ?? '',
          }
        : undefined,
      countryCode: (addr?.country_code ?? '').toUpperCase(),
      provinceCode: (addr?.province_code ?? '').toUpperCase(),
      zip: addr?.zip ?? '',
    },
    dataRequestId: '',
  };
}
