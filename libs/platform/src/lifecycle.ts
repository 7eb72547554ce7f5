// Process lifecycle: run a service, stop it gracefully on SIGTERM/SIGINT within a deadline.
import type { Logger } from 'pino';
import { ConfigError } from './config.js';
import { createLogger } from './logger.js';
import { isReplicaWorker, reportReplicaStarted, superviseReplicas } from './replicas.js';

export interface Running {
  /** Stop taking work, finish in-flight work, drain consumers, close connections. */
  stop(): Promise<void>;
}

/** What every service's configuration carries for its process. */
export interface ProcessConfig {
  LOG_LEVEL: string;
  SHUTDOWN_TIMEOUT_MS: number;
  /** Processes of this service on this machine, sharing its ports (see replicas.ts). */
  REPLICAS: number;
}

/**
 * The whole life of a service process; `main.ts` calls only this: configuration read once,
 * the service started, stopped gracefully on SIGTERM/SIGINT within SHUTDOWN_TIMEOUT_MS.
 */
export async function runProcess<C extends ProcessConfig>(
  name: string,
  loadConfig: () => Readonly<C>,
  start: (config: Readonly<C>) => Promise<Running>,
  /** Last step after the service stopped (flushing telemetry). */
  onExit: () => Promise<void> = async () => {},
): Promise<void> {
  let running: Running;
  let logger: Logger;
  let config: Readonly<C>;
  try {
    config = loadConfig();
    logger = createLogger(name, config.LOG_LEVEL);
    if (config.REPLICAS > 1 && !isReplicaWorker()) {
      superviseReplicas(config.REPLICAS, logger, config.SHUTDOWN_TIMEOUT_MS);
      return;
    }
    running = await start(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
    } else {
      process.stderr.write(`${name}: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    }
    process.exit(1);
  }
  logger.info({ pid: process.pid }, 'started');
  reportReplicaStarted();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    try {
      await running.stop();
      logger.info('stopped');
      await onExit().catch((err) => logger.warn({ err }, 'telemetry did not flush'));
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error while stopping');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
}

/** Runs stop functions in order, collecting failures instead of stopping at the first. */
export async function stopAll(steps: Array<() => Promise<unknown> | unknown>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'some resources failed to stop');
}
