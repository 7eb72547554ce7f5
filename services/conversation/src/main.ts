import { runProcess } from '@sms-inbox/platform';
import { loadConversationConfig } from './config.js';
import { startConversation } from './service.js';

await runProcess('conversation', () => loadConversationConfig(), startConversation);
