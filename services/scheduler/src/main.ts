// The scheduler process: tracing first, then the service (see runService).
import { runService } from '@sms-inbox/telemetry';

await runService('scheduler', {
  config: async () => (await import('./config.js')).loadSchedulerConfig,
  start: async () => (await import('./service.js')).startScheduler,
});
