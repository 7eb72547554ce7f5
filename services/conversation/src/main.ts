// The conversation process: tracing first, then the service (see runService).
import { runService } from '@sms-inbox/telemetry';

await runService('conversation', {
  config: async () => (await import('./config.js')).loadConversationConfig,
  start: async () => (await import('./service.js')).startConversation,
});
