import { commonEnv, env, infraEnv, loadConfig } from '@sms-inbox/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonEnv,
  ...infraEnv('sms_inbox_ingestion'),
  INGESTION_PORT: env.port(8081),
  PUBLIC_BASE_URL: z.string().url().default('http://127.0.0.1:8081'),
  TWILIO_ACCOUNT_SID: z.string().min(1),
  TWILIO_AUTH_TOKEN: z.string().min(1),
  SHOPIFY_API_SECRET: z.string().min(1),
  SUBSCRIBER_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  /** Origin of Twilio's REST API (the local simulator, a test's fake). */
  TWILIO_API_BASE_URL: z.string().url().default('https://api.twilio.com'),
  /** How often each shop number's recent inbound texts are listed from Twilio (0: never). */
  INBOUND_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
  /** How far back each reconciliation looks: the longest ingestion outage it repairs. */
  INBOUND_RECONCILE_LOOKBACK_MS: env.positiveInt(24 * 3600_000),
});

export type Config = z.infer<typeof schema>;

export const loadIngestionConfig = (
  source: Record<string, string | undefined> = process.env,
): Readonly<Config> => loadConfig(schema, source);
