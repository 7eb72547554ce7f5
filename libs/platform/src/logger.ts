// JSON logging with trace ids. Phone numbers are masked by helpers; message texts are never logged.
import { trace } from '@opentelemetry/api';
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  });
}

/** "+14155550101" → "+1415***0101": enough to correlate, not enough to identify. */
export function maskPhone(phone: string): string {
  if (phone.length <= 8) return '***';
  return `${phone.slice(0, 5)}***${phone.slice(-4)}`;
}
