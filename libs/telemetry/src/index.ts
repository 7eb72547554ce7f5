// The telemetry bootstrap, the one global every service has: the OpenTelemetry SDK for Node
// (a tracer provider with W3C trace-context propagation over AsyncLocalStorage), spans exported
// over OTLP/HTTP when the standard OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set,
// and the MongoDB driver instrumented. Started by each `main.ts` before anything it instruments
// is imported. HTTP, gRPC and NATS spans come from our own libs (express and grpc-js are
// imported as ES modules, which the require-hook instrumentations cannot see). Spans carry
// shop and message ids, never phone numbers or texts: database statements are not recorded.
// When nothing is exported, nothing is recorded: spans still carry trace ids (logs, links and the
// `traceparent` of what a service sends keep them), but neither spans nor the driver's commands
// are built into records no one reads (7–9% of a busy service's CPU, see docs/benchmarks.md).
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Telemetry {
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

let started: Telemetry | undefined;

/** Starts tracing for the service `name` (e.g. "delivery"); a second call returns the first. */
export function startTelemetry(name: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  if (started) return started;
  const exporting =
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
    env.OTEL_SDK_DISABLED !== 'true';
  const spanProcessors: SpanProcessor[] = exporting ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [];
  const provider = new NodeTracerProvider({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (read by the default resource) win.
    resource: defaultResource()
      .merge(
        resourceFromAttributes({
          'service.name': `sms-inbox-${name}`,
          'service.namespace': 'sms-inbox',
          'service.version': env.SERVICE_VERSION ?? '0.1.0',
        }),
      )
      .merge(detectResources({ detectors: [envDetector] })),
    spanProcessors,
    // Exporting: the standard OTEL_TRACES_SAMPLER (parent-based, always on by default).
    ...(exporting ? {} : { sampler: new AlwaysOffSampler() }),
  });
  provider.register();
  started = { shutdown: () => provider.shutdown() };
  if (!exporting) return started;
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new MongoDBInstrumentation({
        enhancedDatabaseReporting: false,
        // The command's top-level fields, not its values: the default serializer walks the whole
        // command (every document of a batched insert) on each span, 2% of a busy service's CPU.
        dbStatementSerializer: (command) => Object.keys(command).join(' '),
      }),
    ],
  });
  return started;
}

export { trace };

/** What a service's `main.ts` names: its configuration loader and its start, loaded lazily. */
export interface ServiceModules<C, R> {
  config: () => Promise<() => C>;
  start: () => Promise<(config: C) => Promise<R>>;
}

/**
 * A service process's whole life, which each `main.ts` is only a call to: tracing starts before
 * anything it instruments is loaded; then the platform runs the service (configuration read once,
 * replicas supervised, a graceful stop), and the traces are flushed last. The service's own module
 * is loaded only where it runs: a supervisor of replicas (REPLICAS > 1) does not need it.
 */
export async function runService<C extends import('@sms-inbox/platform').ProcessConfig>(
  name: string,
  modules: ServiceModules<Readonly<C>, import('@sms-inbox/platform').Running>,
): Promise<void> {
  const telemetry = startTelemetry(name);
  const { runProcess } = await import('@sms-inbox/platform');
  const loadConfig = await modules.config();
  await runProcess(
    name,
    loadConfig,
    async (config) => (await modules.start())(config),
    () => telemetry.shutdown(),
  );
}
