// Process lifecycle: run a service, stop it gracefully on SIGTERM/SIGINT within a deadline.
import type { Logger } from 'pino';
import { ConfigError } from './config.js';

export interface Running {
  /** Stop taking work, finish in-flight work, drain consumers, close connections. */
  stop(): Promise<void>;
}

export interface RunOptions {
  name: string;
  logger: () => Logger;
  shutdownTimeoutMs: () => number;
  start: () => Promise<Running>;
}

/** The whole life of a service process; `main.ts` calls only this. */
export async function runProcess(options: RunOptions): Promise<void> {
  let running: Running;
  let logger: Logger;
  try {
    logger = options.logger();
    running = await options.start();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${options.name}: ${err.message}\n`);
    } else {
      process.stderr.write(
        `${options.name}: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`,
      );
    }
    process.exit(1);
  }
  logger.info({ pid: process.pid }, 'started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, options.shutdownTimeoutMs());
    timer.unref();
    try {
      await running.stop();
      logger.info('stopped');
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
