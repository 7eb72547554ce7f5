// The page's server over real HTTP: the document with its settings (and App Bridge only inside
// the Shopify admin), a content security policy that lets the page reach only the API, hashed
// assets cached for good, the operations endpoints, and readiness that tells an unbuilt page.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@sms-inbox/devstack';
import { ConfigError } from '@sms-inbox/platform';
import { loadInboxWebConfig } from '../src/config.js';
import { APP_BRIDGE_URL } from '../src/page.js';
import { type RunningInboxWeb, startInboxWeb } from '../src/service.js';

const GATEWAY = 'https://api.example.com';
const INDEX = `<!doctype html><html><head><!-- inbox-web:head --></head><body><div id="root"></div></body></html>`;

function builtPage(): string {
  const dir = tempDir('inbox-web-static');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets/index-abc123.js'), 'console.log("inbox")');
  return dir;
}

const start = (staticDir: string) =>
  startInboxWeb(
    loadInboxWebConfig({
      INBOX_WEB_PORT: '0',
      GATEWAY_PUBLIC_URL: `${GATEWAY}/`,
      SHOPIFY_API_KEY: 'key-"1"',
      INBOX_WEB_STATIC_DIR: staticDir,
      LOG_LEVEL: 'silent',
    }),
  );

describe('a built page', () => {
  let web: RunningInboxWeb;
  let base: string;
  beforeAll(async () => {
    web = await start(builtPage());
    base = `http://127.0.0.1:${web.port}`;
  });
  afterAll(() => web?.stop());

  it('serves the document with the API origin it calls, without App Bridge outside the admin', async () => {
    const res = await fetch(`${base}/?conversation=c1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain(
      `<script id="inbox-config" type="application/json">{"apiBaseUrl":"${GATEWAY}","embedded":false}</script>`,
    );
    expect(html).not.toContain(APP_BRIDGE_URL);
    expect(html).not.toContain('shopify-api-key');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain(`connect-src 'self' ${GATEWAY};`);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('adds App Bridge and the app key first inside the Shopify admin, and may be framed only there', async () => {
    const res = await fetch(
      `${base}/?embedded=1&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtbw&shop=demo.myshopify.com`,
    );
    const html = await res.text();
    expect(html).toContain('<meta name="shopify-api-key" content="key-&quot;1&quot;" />');
    expect(html).toContain(`<script src="${APP_BRIDGE_URL}"></script>`);
    expect(html).toContain('"embedded":true');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self' https://cdn.shopify.com;");
    expect(csp).toContain('frame-ancestors https://admin.shopify.com https://*.myshopify.com');
  });

  it('caches hashed assets for good, and answers 404 for a missing one', async () => {
    const res = await fetch(`${base}/assets/index-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/assets/index-missing.js`)).status).toBe(404);
  });

  it('answers the operations endpoints', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('sms_inbox_http_request_duration_seconds');
  });

  it('answers an unknown route with the API error shape', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('route_not_found');
  });
});

it('serves the page under a base path, sending the address without its slash there', async () => {
  const web = await startInboxWeb(
    loadInboxWebConfig({
      INBOX_WEB_PORT: '0',
      INBOX_WEB_BASE_PATH: '/apps/inbox/',
      SHOPIFY_API_KEY: 'k',
      INBOX_WEB_STATIC_DIR: builtPage(),
      LOG_LEVEL: 'silent',
    }),
  );
  try {
    const base = `http://127.0.0.1:${web.port}`;
    const redirect = await fetch(`${base}/apps/inbox?host=abc`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/apps/inbox/?host=abc');
    expect(await (await fetch(`${base}/apps/inbox/`)).text()).toContain('inbox-config');
    expect((await fetch(`${base}/apps/inbox/assets/index-abc123.js`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  } finally {
    await web.stop();
  }
});

it('is not ready, and says why, while the page is not built', async () => {
  const web = await start(tempDir('inbox-web-unbuilt'));
  try {
    const base = `http://127.0.0.1:${web.port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('not built');
  } finally {
    await web.stop();
  }
});

it('refuses a configuration without the app key or with a gateway address that is not a URL', () => {
  expect(() => loadInboxWebConfig({})).toThrow(ConfigError);
  expect(() => loadInboxWebConfig({ SHOPIFY_API_KEY: 'k', GATEWAY_PUBLIC_URL: 'not a url' })).toThrow(
    /GATEWAY_PUBLIC_URL/,
  );
  expect(loadInboxWebConfig({ SHOPIFY_API_KEY: 'k', GATEWAY_PUBLIC_URL: '' }).GATEWAY_PUBLIC_URL).toBe('');
  expect(() => loadInboxWebConfig({ SHOPIFY_API_KEY: 'k', INBOX_WEB_BASE_PATH: '/inbox' })).toThrow(
    /INBOX_WEB_BASE_PATH/,
  );
});
