// Where the page's session tokens come from. Inside the Shopify admin: App Bridge's
// `shopify.idToken()`, a fresh token for every call. On its own (the local stack's link): a token
// handed over once in the address's fragment (never sent to a server), kept for this tab and
// removed from the address at once.
import type { PageSettings } from './settings';

declare global {
  interface Window {
    shopify?: { idToken(): Promise<string> };
  }
}

export interface Session {
  token(): Promise<string>;
  /** The shop's domain (the token's `dest`), for the discount line's preview. */
  shop(): string | undefined;
}

const STORAGE_KEY = 'sms-inbox.session-token';

export function openSession(settings: PageSettings): Session | undefined {
  if (settings.embedded) {
    let last: string | undefined;
    return {
      token: async () => {
        if (!window.shopify) throw new Error('App Bridge did not load');
        last = await window.shopify.idToken();
        return last;
      },
      shop: () => shopOf(last),
    };
  }
  const handedOver = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (handedOver) {
    sessionStorage.setItem(STORAGE_KEY, handedOver);
    const url = new URL(window.location.href);
    url.hash = '';
    window.history.replaceState(window.history.state, '', url.pathname + url.search);
  }
  const token = sessionStorage.getItem(STORAGE_KEY);
  if (!token) return undefined;
  return { token: async () => token, shop: () => shopOf(token) };
}

export function forgetSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

function shopOf(token: string | undefined): string | undefined {
  try {
    const payload = JSON.parse(atob(token!.split('.')[1]!.replaceAll('-', '+').replaceAll('_', '/')));
    return new URL(payload.dest).host;
  } catch {
    return undefined;
  }
}
