import { runProcess } from '@sms-inbox/platform';
import { loadSchedulerConfig } from './config.js';
import { startScheduler } from './service.js';

await runProcess('scheduler', () => loadSchedulerConfig(), startScheduler);
