import { commonEnv, env, infraEnv, loadConfig } from '@sms-inbox/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonEnv,
  ...infraEnv('sms_inbox_scheduler'),
  HTTP_PORT: env.port(8085),
  SUBSCRIBER_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  /** How often due replies are looked for and released: a release's delay is at most about this. */
  SCHEDULER_POLL_MS: env.positiveInt(1_000),
  /**
   * The release job and the replies held by a replica that died are taken over after this long; a
   * run of the job releases for at most half of it, then lets the next run go on.
   */
  SCHEDULER_LOCK_LIFETIME_MS: env.positiveInt(15_000),
});

export type Config = z.infer<typeof schema>;

export const loadSchedulerConfig = (
  source: Record<string, string | undefined> = process.env,
): Readonly<Config> => loadConfig(schema, source);
