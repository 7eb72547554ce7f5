import { runProcess } from '@sms-inbox/platform';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './service.js';

await runProcess('gateway', () => loadGatewayConfig(), startGateway);
