// Tracing starts before anything it instruments is loaded; then the service runs.
import { startTelemetry } from '@sms-inbox/telemetry';

const telemetry = startTelemetry('delivery');
const { runProcess } = await import('@sms-inbox/platform');
const { loadDeliveryConfig } = await import('./config.js');

await runProcess(
  'delivery',
  () => loadDeliveryConfig(),
  // Loaded only where it runs: a supervisor of replicas (REPLICAS > 1) does not need it.
  async (config) => (await import('./service.js')).startDelivery(config),
  () => telemetry.shutdown(),
);
