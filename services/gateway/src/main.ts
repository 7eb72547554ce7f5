// The gateway process: tracing first, then the service (see runService).
import { runService } from '@sms-inbox/telemetry';

await runService('gateway', {
  config: async () => (await import('./config.js')).loadGatewayConfig,
  start: async () => (await import('./service.js')).startGateway,
});
