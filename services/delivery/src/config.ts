import { commonEnv, env, infraEnv, loadConfig } from '@sms-inbox/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonEnv,
  ...infraEnv('sms_inbox_delivery'),
  HTTP_PORT: env.port(8084),
  TWILIO_ACCOUNT_SID: z.string().min(1),
  TWILIO_AUTH_TOKEN: z.string().min(1),
  /** Origin the twilio SDK sends to (the local simulator, a test's fake). */
  TWILIO_API_BASE_URL: z.string().url().default('https://api.twilio.com'),
  /** Public origin of ingestion: status callbacks go to PUBLIC_BASE_URL/webhooks/twilio/status. */
  PUBLIC_BASE_URL: z.string().url().default('http://127.0.0.1:8081'),
  SUBSCRIBER_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  /** Provider attempts per reply before it is marked failed (429, 5xx, network errors). */
  SEND_MAX_ATTEMPTS: env.positiveInt(5),
});

export type Config = z.infer<typeof schema>;

export const loadDeliveryConfig = (
  source: Record<string, string | undefined> = process.env,
): Readonly<Config> => loadConfig(schema, source);
