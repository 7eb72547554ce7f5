// Tracing starts before anything it instruments is loaded; then the service runs.
import { startTelemetry } from '@sms-inbox/telemetry';

const telemetry = startTelemetry('gateway');
const { runProcess } = await import('@sms-inbox/platform');
const { loadGatewayConfig } = await import('./config.js');
const { startGateway } = await import('./service.js');

await runProcess(
  'gateway',
  () => loadGatewayConfig(),
  startGateway,
  () => telemetry.shutdown(),
);
