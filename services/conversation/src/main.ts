// Tracing starts before anything it instruments is loaded; then the service runs.
import { startTelemetry } from '@sms-inbox/telemetry';

const telemetry = startTelemetry('conversation');
const { runProcess } = await import('@sms-inbox/platform');
const { loadConversationConfig } = await import('./config.js');

await runProcess(
  'conversation',
  () => loadConversationConfig(),
  // Loaded only where it runs: a supervisor of replicas (REPLICAS > 1) does not need it.
  async (config) => (await import('./service.js')).startConversation(config),
  () => telemetry.shutdown(),
);
