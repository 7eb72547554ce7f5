// Tracing starts before anything it instruments is loaded; then the service runs.
import { startTelemetry } from '@sms-inbox/telemetry';

const telemetry = startTelemetry('conversation');
const { runProcess } = await import('@sms-inbox/platform');
const { loadConversationConfig } = await import('./config.js');
const { startConversation } = await import('./service.js');

await runProcess(
  'conversation',
  () => loadConversationConfig(),
  startConversation,
  () => telemetry.shutdown(),
);
