import { runProcess } from '@sms-inbox/platform';
import { loadDeliveryConfig } from './config.js';
import { startDelivery } from './service.js';

await runProcess('delivery', () => loadDeliveryConfig(), startDelivery);
