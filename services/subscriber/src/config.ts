import { commonEnv, env, infraEnv, loadConfig } from '@sms-inbox/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonEnv,
  ...infraEnv('sms_inbox_subscriber'),
  HTTP_PORT: env.port(8082),
  GRPC_PORT: env.port(50051),
});

export type Config = z.infer<typeof schema>;

export const loadSubscriberConfig = (
  source: Record<string, string | undefined> = process.env,
): Readonly<Config> => loadConfig(schema, source);
