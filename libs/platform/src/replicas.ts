// Replicas of one service on one machine (`REPLICAS=2 npm start`): a primary process forks the
// workers with Node's cluster module, so they share the service's HTTP and gRPC ports, starts a
// worker again when it dies (as Kubernetes restarts a pod) and stops them all on SIGTERM/SIGINT.
// In Kubernetes each pod runs one process (REPLICAS=1) and the Deployment makes the replicas.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** A worker that dies sooner than this after its start counts as a failed start (backoff). */
const HEALTHY_AFTER_MS = 10_000;
const MAX_RESTART_DELAY_MS = 10_000;

export const isReplicaWorker = () => cluster.isWorker;

const STARTED = 'sms-inbox:replica-started';

/** Tells the supervisor this replica has started (takes work). */
export function reportReplicaStarted(): void {
  if (cluster.isWorker) process.send?.({ type: STARTED });
}

export function superviseReplicas(count: number, logger: Logger, shutdownTimeoutMs: number): void {
  const indexOf = new Map<Worker, number>();
  const failedStarts = new Map<number, number>();
  let stopping = false;

  const fork = (index: number, again = false) => {
    const worker = cluster.fork({ SERVICE_REPLICA: String(index) });
    indexOf.set(worker, index);
    const startedAt = Date.now();
    // A restart belongs to the crash's trail, at the crash's level.
    worker.on('message', (message: { type?: string }) => {
      if (again && message?.type === STARTED)
        logger.warn({ replica: index, pid: worker.process.pid }, 'replica started again');
    });
    worker.on('exit', (code, signal) => {
      indexOf.delete(worker);
      if (stopping) {
        if (indexOf.size === 0) {
          logger.info('replicas stopped');
          process.exit(0);
        }
        return;
      }
      const failed = Date.now() - startedAt < HEALTHY_AFTER_MS ? (failedStarts.get(index) ?? 0) + 1 : 0;
      failedStarts.set(index, failed);
      const delay = Math.min(250 * 2 ** failed, MAX_RESTART_DELAY_MS);
      logger.warn(
        { replica: index, pid: worker.process.pid, code, signal, restartInMs: delay },
        'replica exited; starting it again',
      );
      setTimeout(() => {
        if (!stopping) fork(index, true);
      }, delay);
    });
  };
  for (let i = 0; i < count; i++) fork(i);
  logger.info({ pid: process.pid, replicas: count }, 'started replicas');

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping replicas');
    for (const worker of indexOf.keys()) worker.process.kill('SIGTERM');
    if (indexOf.size === 0) process.exit(0);
    // Each replica has its own deadline; this one only catches a replica that ignored it.
    setTimeout(() => {
      logger.error('replicas did not stop in time; killing them');
      for (const worker of indexOf.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, shutdownTimeoutMs + 2_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
