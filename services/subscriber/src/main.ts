// Tracing starts before anything it instruments is loaded; then the service runs.
import { startTelemetry } from '@sms-inbox/telemetry';

const telemetry = startTelemetry('subscriber');
const { runProcess } = await import('@sms-inbox/platform');
const { loadSubscriberConfig } = await import('./config.js');

await runProcess(
  'subscriber',
  () => loadSubscriberConfig(),
  // Loaded only where it runs: a supervisor of replicas (REPLICAS > 1) does not need it.
  async (config) => (await import('./service.js')).startSubscriber(config),
  () => telemetry.shutdown(),
);
