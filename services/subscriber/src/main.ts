import { runProcess } from '@sms-inbox/platform';
import { loadSubscriberConfig } from './config.js';
import { startSubscriber } from './service.js';

await runProcess('subscriber', () => loadSubscriberConfig(), startSubscriber);
