import { createLogger, runProcess } from '@sms-inbox/platform';
import { loadIngestionConfig } from './config.js';
import { startIngestion } from './service.js';

const config = () => loadIngestionConfig();

await runProcess({
  name: 'ingestion',
  logger: () => createLogger('ingestion', config().LOG_LEVEL),
  shutdownTimeoutMs: () => config().SHUTDOWN_TIMEOUT_MS,
  start: () => startIngestion(config()),
});
