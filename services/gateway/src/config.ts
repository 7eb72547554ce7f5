import { commonEnv, env, loadConfig } from '@sms-inbox/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonEnv,
  GATEWAY_PORT: env.port(8080),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  /** Interval of the heartbeat comments on live streams. */
  SSE_HEARTBEAT_MS: env.positiveInt(15_000),
  SHOPIFY_API_KEY: z.string().min(1),
  SHOPIFY_API_SECRET: z.string().min(1),
  SUBSCRIBER_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  CONVERSATION_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50052'),
  /** Deadline of each gRPC call to a backing service. */
  GRPC_TIMEOUT_MS: env.positiveInt(5_000),
  /** Allowed clock skew when checking session tokens' exp/nbf. */
  /** Dashboard origins allowed by CORS, comma-separated. */
  DASHBOARD_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** Requests a minute per shop (per gateway replica). */
  RATE_LIMIT_PER_MINUTE: env.positiveInt(1_200),
  /** Largest accepted request body. */
  BODY_LIMIT_BYTES: env.positiveInt(64 * 1024),
  /** Twilio account: inbound MMS media is fetched with its credentials. */
  TWILIO_ACCOUNT_SID: z.string().min(1),
  TWILIO_AUTH_TOKEN: z.string().min(1),
  TWILIO_API_BASE_URL: z.string().url().default('https://api.twilio.com'),
  /** Upper bound for fetching one media file from Twilio. */
  MEDIA_TIMEOUT_MS: env.positiveInt(15_000),
  TOKEN_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(60).default(10),
});

export type Config = z.infer<typeof schema>;

export const loadGatewayConfig = (
  source: Record<string, string | undefined> = process.env,
): Readonly<Config> => loadConfig(schema, source);
