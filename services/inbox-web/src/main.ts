// The inbox page's process: tracing first, then the service (see runService).
import { runService } from '@sms-inbox/telemetry';

await runService('inbox-web', {
  config: async () => (await import('./config.js')).loadInboxWebConfig,
  start: async () => (await import('./service.js')).startInboxWeb,
});
