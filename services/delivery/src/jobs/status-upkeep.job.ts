// Runs the periodic work of delivery: on every replica, the outbox sweep (statuses a stopped
// process recorded but did not publish; at start, then periodically); on the one replica that
// holds the lease, a reconciliation pass every interval. Stopping ends the pass in progress early and gives the
// lease up, so another replica takes over at its next tick.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@sms-inbox/platform';
import type { LeaseRepository } from '../repositories/lease.repository.js';
import type { ReconcileStatuses } from '../usecases/reconcile-statuses.usecase.js';
import type { ReportStatus } from '../usecases/report-status.usecase.js';

const LEASE = 'reconcile-statuses';

export interface PeriodicOptions {
  /** Between reconciliation passes. */
  reconcileIntervalMs: number;
  /** How long one pass may take at most (its batch at its rate): the lease outlives it. */
  passMs: number;
  /** Between outbox sweeps; an outbox this old is swept (a younger one is being published). */
  outboxSweepMs: number;
}

export function startStatusUpkeep(
  leases: LeaseRepository,
  reconcile: ReconcileStatuses,
  report: ReportStatus,
  options: PeriodicOptions,
  logger: Logger,
): { stop(): Promise<void> } {
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let stopping = false;
  const loops = [
    // At start, whatever a stopped process left; then what is older than one sweep.
    every(0, options.outboxSweepMs, (first) =>
      report.sweep(first ? 0 : options.outboxSweepMs).then(() => {}),
    ),
    every(options.reconcileIntervalMs, options.reconcileIntervalMs, async () => {
      const leaseMs = options.reconcileIntervalMs + options.passMs + 5_000;
      if (await leases.acquire(LEASE, holder, leaseMs)) await reconcile.runOnce(() => stopping);
      else reconcile.standBy();
    }),
  ];

  function every(firstMs: number, intervalMs: number, work: (first: boolean) => Promise<void>) {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const schedule = (delayMs: number, first: boolean) => {
      timer = setTimeout(() => {
        running = work(first)
          .catch((err) => logger.error({ err }, 'periodic delivery work failed; tried again later'))
          .finally(() => {
            if (!stopping) schedule(intervalMs, false);
          });
      }, delayMs);
    };
    schedule(firstMs, true);
    return async () => {
      clearTimeout(timer);
      await running;
    };
  }

  return {
    async stop() {
      stopping = true;
      await Promise.all(loops.map((stop) => stop()));
      await leases.release(LEASE, holder).catch((err) => logger.warn({ err }, 'lease not released'));
    },
  };
}
