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
  /** Upper bound of one provider call; a call older than twice this cannot be in flight. */
  TWILIO_TIMEOUT_MS: env.positiveInt(10_000),
  /** Public origin of ingestion: status callbacks go to PUBLIC_BASE_URL/webhooks/twilio/status. */
  PUBLIC_BASE_URL: z.string().url().default('http://127.0.0.1:8081'),
  SUBSCRIBER_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  /** Provider attempts per text before it is marked failed (429, 5xx, network errors). */
  SEND_MAX_ATTEMPTS: env.positiveInt(5),
  /** First retry delay; each further attempt doubles it (with jitter) up to SEND_RETRY_CAP_MS. */
  SEND_RETRY_BASE_MS: env.positiveInt(1_000),
  SEND_RETRY_CAP_MS: env.positiveInt(60_000),
  /** Texts per second per sending number, per replica (Twilio long codes: 1, toll-free: 3). */
  SEND_RATE_PER_NUMBER: z.coerce.number().positive().max(1_000).default(1),
  /** Sends in progress at once per replica (waiting for a slot counts). */
  SEND_CONCURRENCY: env.positiveInt(64),
  /**
   * A reply accepted by the provider with no final status this long after is looked up at the
   * provider (its callbacks may have been lost); later look-ups double the delay up to
   * STATUS_RECONCILE_CAP_MS and stop at STATUS_RECONCILE_MAX_AGE_MS.
   */
  STATUS_RECONCILE_AFTER_MS: env.positiveInt(10 * 60_000),
  STATUS_RECONCILE_CAP_MS: env.positiveInt(6 * 3_600_000),
  STATUS_RECONCILE_MAX_AGE_MS: env.positiveInt(3 * 24 * 3_600_000),
  /** Between reconciliation passes (one replica at a time runs them, by a lease). */
  STATUS_RECONCILE_INTERVAL_MS: env.positiveInt(60_000),
  /** Look-ups per pass, and per second toward the provider. */
  STATUS_RECONCILE_BATCH: env.positiveInt(100),
  STATUS_RECONCILE_RATE: z.coerce.number().positive().max(100).default(5),
  /** Between sweeps of statuses recorded but left unpublished (a stopped process). */
  OUTBOX_SWEEP_MS: env.positiveInt(10_000),
  /** How long a provider's `sent` waits for a final status of the same message that makes it pointless (0: never). */
  STATUS_SUPERSEDE_WAIT_MS: env.nonNegativeInt(250),
  /**
   * While this many sends or more are worked on (per replica; waiting for pacing does not count),
   * a provider's status report waits for them to thin out, at most STATUS_DEFER_MAX_MS (0: never).
   */
  STATUS_DEFER_BUSY_SENDS: env.positiveInt(16),
  STATUS_DEFER_MAX_MS: env.nonNegativeInt(30_000),
});

export type Config = z.infer<typeof schema>;

export const loadDeliveryConfig = (
  source: Record<string, string | undefined> = process.env,
): Readonly<Config> => loadConfig(schema, source);
