// Tracing starts before anything it instruments is loaded; then the service runs.
import { startTelemetry } from '@sms-inbox/telemetry';

const telemetry = startTelemetry('scheduler');
const { runProcess } = await import('@sms-inbox/platform');
const { loadSchedulerConfig } = await import('./config.js');
const { startScheduler } = await import('./service.js');

await runProcess(
  'scheduler',
  () => loadSchedulerConfig(),
  startScheduler,
  () => telemetry.shutdown(),
);
