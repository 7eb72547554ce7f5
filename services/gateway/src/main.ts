import { createLogger, runProcess } from '@sms-inbox/platform';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './service.js';

const config = () => loadGatewayConfig();

await runProcess({
  name: 'gateway',
  logger: () => createLogger('gateway', config().LOG_LEVEL),
  shutdownTimeoutMs: () => config().SHUTDOWN_TIMEOUT_MS,
  start: () => startGateway(config()),
});
