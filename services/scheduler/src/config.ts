import { commonEnv, env, infraEnv, loadConfig } from '@sms-inbox/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonEnv,
  ...infraEnv('sms_inbox_scheduler'),
  HTTP_PORT: env.port(8085),
  SUBSCRIBER_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  /**
   * How often Agenda looks for due jobs. Jobs due before the next look are locked ahead and run by
   * a timer at their time, so this is not added to a release's delay.
   */
  SCHEDULER_POLL_MS: env.positiveInt(5_000),
  /** A job locked by a replica that died is taken over after this long. */
  SCHEDULER_LOCK_LIFETIME_MS: env.positiveInt(60_000),
  /** Releases running at once per replica. */
  SCHEDULER_CONCURRENCY: env.positiveInt(50),
});

export type Config = z.infer<typeof schema>;

export const loadSchedulerConfig = (
  source: Record<string, string | undefined> = process.env,
): Readonly<Config> => loadConfig(schema, source);
