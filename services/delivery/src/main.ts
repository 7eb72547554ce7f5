// The delivery process: tracing first, then the service (see runService).
import { runService } from '@sms-inbox/telemetry';

await runService('delivery', {
  config: async () => (await import('./config.js')).loadDeliveryConfig,
  start: async () => (await import('./service.js')).startDelivery,
});
