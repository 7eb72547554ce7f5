import { createLogger, runProcess } from '@sms-inbox/platform';
import { loadSubscriberConfig } from './config.js';
import { startSubscriber } from './service.js';

const config = () => loadSubscriberConfig();

await runProcess({
  name: 'subscriber',
  logger: () => createLogger('subscriber', config().LOG_LEVEL),
  shutdownTimeoutMs: () => config().SHUTDOWN_TIMEOUT_MS,
  start: () => startSubscriber(config()),
});
