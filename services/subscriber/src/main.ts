// Tracing starts before anything it instruments is loaded; then the service runs.
import { startTelemetry } from '@sms-inbox/telemetry';

const telemetry = startTelemetry('subscriber');
const { runProcess } = await import('@sms-inbox/platform');
const { loadSubscriberConfig } = await import('./config.js');
const { startSubscriber } = await import('./service.js');

await runProcess(
  'subscriber',
  () => loadSubscriberConfig(),
  startSubscriber,
  () => telemetry.shutdown(),
);
