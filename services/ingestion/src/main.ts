// Tracing starts before anything it instruments is loaded; then the service runs.
import { startTelemetry } from '@sms-inbox/telemetry';

const telemetry = startTelemetry('ingestion');
const { runProcess } = await import('@sms-inbox/platform');
const { loadIngestionConfig } = await import('./config.js');
const { startIngestion } = await import('./service.js');

await runProcess(
  'ingestion',
  () => loadIngestionConfig(),
  startIngestion,
  () => telemetry.shutdown(),
);
