// The ingestion process: tracing first, then the service (see runService).
import { runService } from '@sms-inbox/telemetry';

await runService('ingestion', {
  config: async () => (await import('./config.js')).loadIngestionConfig,
  start: async () => (await import('./service.js')).startIngestion,
});
