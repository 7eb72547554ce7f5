// Validated, typed configuration read from the environment once at start-up.
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Parses `env` with `schema` (keys are the variable names) and returns a frozen result.
 * Throws ConfigError naming every bad or missing variable, so a service fails fast and clearly.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<S>> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    );
  }
  return Object.freeze(parsed.data);
}

/** Reusable env field parsers. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: () => z.string().url(),
  nonEmpty: () => z.string().min(1),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  nonNegativeInt: (fallback: number) => z.coerce.number().int().min(0).default(fallback),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** Variables every service shares. */
export const commonEnv = {
  LOG_LEVEL: env.logLevel(),
  SHUTDOWN_TIMEOUT_MS: env.positiveInt(20_000),
  /** Processes of the service on one machine, sharing its ports; 1 in Kubernetes (one per pod). */
  REPLICAS: z.coerce.number().int().min(1).max(16).default(1),
};

/** Variables of a service that uses the bus and its own database. */
export const infraEnv = (defaultDatabase: string) => ({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** How long a consumer may hold a message before JetStream redelivers it. */
  NATS_ACK_WAIT_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** Messages each consumer handles at once (per process), unless the consumer sets its own. */
  CONSUMER_CONCURRENCY: env.positiveInt(64),
  MONGODB_URI: z.string().startsWith('mongodb').default('mongodb://127.0.0.1:27017/'),
  MONGODB_DATABASE: z.string().min(1).default(defaultDatabase),
  /** gRPC calls a service's server runs at once; the others wait their turn (those serving gRPC). */
  GRPC_MAX_CONCURRENT_CALLS: env.positiveInt(64),
});
