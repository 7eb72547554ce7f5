// Tracing starts before anything it instruments is loaded; then the service runs.
import { startTelemetry } from '@sms-inbox/telemetry';

const telemetry = startTelemetry('scheduler');
const { runProcess } = await import('@sms-inbox/platform');
const { loadSchedulerConfig } = await import('./config.js');

await runProcess(
  'scheduler',
  () => loadSchedulerConfig(),
  // Loaded only where it runs: a supervisor of replicas (REPLICAS > 1) does not need it.
  async (config) => (await import('./service.js')).startScheduler(config),
  () => telemetry.shutdown(),
);
