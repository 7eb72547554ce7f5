// What the page's document carries and the headers it is served with, pure: the settings the
// app reads at start (the API's origin), App Bridge and the app's key only inside the Shopify
// admin, and a content security policy that lets the page reach nothing but the API.
import type { Config } from './config.js';

export const APP_BRIDGE_URL = 'https://cdn.shopify.com/shopifycloud/app-bridge.js';
const MARKER = '<!-- inbox-web:head -->';

/** The settings the app reads from `<script id="inbox-config" type="application/json">`. */
export interface PageSettings {
  apiBaseUrl: string;
  embedded: boolean;
}

const escapeJson = (value: unknown) => JSON.stringify(value).replaceAll('<', '\\u003c');
const escapeAttr = (value: string) => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

export function renderIndex(template: string, config: Readonly<Config>, embedded: boolean): string {
  const settings: PageSettings = { apiBaseUrl: config.GATEWAY_PUBLIC_URL, embedded };
  const head = [
    `<script id="inbox-config" type="application/json">${escapeJson(settings)}</script>`,
    // App Bridge must be the first script the admin's page runs (Shopify's rule for embedded apps).
    ...(embedded
      ? [
          `<meta name="shopify-api-key" content="${escapeAttr(config.SHOPIFY_API_KEY)}" />`,
          `<script src="${APP_BRIDGE_URL}"></script>`,
        ]
      : []),
  ].join('\n    ');
  if (!template.includes(MARKER)) throw new Error(`index.html has no ${MARKER}`);
  return template.replace(MARKER, head);
}

export function pageHeaders(config: Readonly<Config>, embedded: boolean): Record<string, string> {
  const api = config.GATEWAY_PUBLIC_URL;
  const csp = [
    "default-src 'self'",
    `script-src 'self'${embedded ? ' https://cdn.shopify.com' : ''}`,
    // Polaris sets style attributes.
    "style-src 'self' 'unsafe-inline'",
    // Inbound images come through the API as blobs; a reply's image is any https URL.
    "img-src 'self' data: blob: https:",
    `connect-src 'self'${api ? ` ${api}` : ''}${embedded ? ' https://*.shopify.com' : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    // Inside the Shopify admin only (and not framed at all on its own).
    `frame-ancestors ${embedded ? 'https://admin.shopify.com https://*.myshopify.com' : "'none'"}`,
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}
