import { context, propagation } from '@opentelemetry/api';
import { startTelemetry, trace } from './index.js';

it('without an exporter records nothing, yet every span has a trace id that children and sends carry', async () => {
  const telemetry = startTelemetry('test', {});
  const tracer = trace.getTracer('test');
  tracer.startActiveSpan('parent', (parent) => {
    expect(parent.isRecording()).toBe(false);
    const { traceId } = parent.spanContext();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe('0'.repeat(32));
    const child = tracer.startSpan('child');
    expect(child.spanContext().traceId).toBe(traceId);
    child.end();
    const headers: Record<string, string> = {};
    propagation.inject(context.active(), headers);
    expect(headers.traceparent).toContain(traceId);
    parent.end();
  });
  await telemetry.shutdown();
});
