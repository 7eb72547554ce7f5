// Tracing starts before anything it instruments is loaded; then the service runs.
import { startTelemetry } from '@sms-inbox/telemetry';

const telemetry = startTelemetry('delivery');
const { runProcess } = await import('@sms-inbox/platform');
const { loadDeliveryConfig } = await import('./config.js');
const { startDelivery } = await import('./service.js');

await runProcess(
  'delivery',
  () => loadDeliveryConfig(),
  startDelivery,
  () => telemetry.shutdown(),
);
