import { createLogger, runProcess } from '@sms-inbox/platform';
import { loadSchedulerConfig } from './config.js';
import { startScheduler } from './service.js';

const config = () => loadSchedulerConfig();

await runProcess({
  name: 'scheduler',
  logger: () => createLogger('scheduler', config().LOG_LEVEL),
  shutdownTimeoutMs: () => config().SHUTDOWN_TIMEOUT_MS,
  start: () => startScheduler(config()),
});
