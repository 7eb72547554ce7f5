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
});

export type Config = z.infer<typeof schema>;

export const loadIngestionConfig = (
  source: Record<string, string | undefined> = process.env,
): Readonly<Config> => loadConfig(schema, source);
