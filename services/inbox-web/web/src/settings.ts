// The page's settings, written into index.html by the inbox-web service (src/page.ts).
export interface PageSettings {
  /** The gateway's public origin; empty: this page's origin. */
  apiBaseUrl: string;
  /** Inside the Shopify admin: session tokens come from App Bridge. */
  embedded: boolean;
}

export function readSettings(): PageSettings {
  const element = document.getElementById('inbox-config');
  const parsed = element?.textContent ? (JSON.parse(element.textContent) as Partial<PageSettings>) : {};
  return { apiBaseUrl: parsed.apiBaseUrl ?? '', embedded: parsed.embedded ?? false };
}
