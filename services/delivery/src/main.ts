import { createLogger, runProcess } from '@sms-inbox/platform';
import { loadDeliveryConfig } from './config.js';
import { startDelivery } from './service.js';

const config = () => loadDeliveryConfig();

await runProcess({
  name: 'delivery',
  logger: () => createLogger('delivery', config().LOG_LEVEL),
  shutdownTimeoutMs: () => config().SHUTDOWN_TIMEOUT_MS,
  start: () => startDelivery(config()),
});
