// The subscriber process: tracing first, then the service (see runService).
import { runService } from '@sms-inbox/telemetry';

await runService('subscriber', {
  config: async () => (await import('./config.js')).loadSubscriberConfig,
  start: async () => (await import('./service.js')).startSubscriber,
});
