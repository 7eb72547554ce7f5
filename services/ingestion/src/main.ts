import { runProcess } from '@sms-inbox/platform';
import { loadIngestionConfig } from './config.js';
import { startIngestion } from './service.js';

await runProcess('ingestion', () => loadIngestionConfig(), startIngestion);
