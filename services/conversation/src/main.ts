import { createLogger, runProcess } from '@sms-inbox/platform';
import { loadConversationConfig } from './config.js';
import { startConversation } from './service.js';

const config = () => loadConversationConfig();

await runProcess({
  name: 'conversation',
  logger: () => createLogger('conversation', config().LOG_LEVEL),
  shutdownTimeoutMs: () => config().SHUTDOWN_TIMEOUT_MS,
  start: () => startConversation(config()),
});
