import { commonEnv, env, loadConfig } from '@sms-inbox/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonEnv,
  /** The page and the operations endpoints. */
  INBOX_WEB_PORT: env.port(8090),
  /**
   * The gateway's public origin as the merchant's browser reaches it (the page calls the API
   * there, allowed by the gateway's DASHBOARD_ORIGINS); empty: the page's own origin, when an
   * ingress serves `/v1` of the gateway beside the page.
   */
  GATEWAY_PUBLIC_URL: z
    .union([z.literal(''), z.string().url()])
    .default('http://127.0.0.1:8080')
    .transform((v) => v.replace(/\/$/, '')),
  /** The app's client id: App Bridge reads it from the page inside the Shopify admin. */
  SHOPIFY_API_KEY: z.string().min(1),
  /**
   * The path the page is served under, with the trailing slash (behind an ingress that routes a
   * prefix here); the operations endpoints stay at the root.
   */
  INBOX_WEB_BASE_PATH: z
    .string()
    .regex(/^\/([A-Za-z0-9._~-]+\/)*$/, 'a path that starts and ends with /')
    .default('/'),
  /** Where the built page is (Vite's output). */
  INBOX_WEB_STATIC_DIR: z.string().min(1).optional(),
});

export type Config = z.infer<typeof schema>;

export const loadInboxWebConfig = (
  source: Record<string, string | undefined> = process.env,
): Readonly<Config> => loadConfig(schema, source);
