// The express app factory every service uses: /healthz, /readyz, /metrics, request metrics,
// a server span per request (continuing the caller's W3C trace context), and the one mapper
// from errors to the API's error body.
import type { Server } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AppError, httpStatusOf, isAppError, type Logger } from '@sms-inbox/platform';
import express, {
  type ErrorRequestHandler,
  type Express,
  type NextFunction,
  type Request,
  type Response,
} from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, register } from 'prom-client';

export type { Express, NextFunction, Request, Response };
export { express };

let defaultMetricsStarted = false;
const tracer = trace.getTracer('@sms-inbox/http');
/** Probes and scrapes: measured, not traced. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

const httpErrors = new Counter({
  name: 'sms_inbox_http_errors_total',
  help: 'Requests answered with an error, by status and error code (rejected webhooks, bad input, failures)',
  labelNames: ['status', 'code'] as const,
});

const httpDuration = new Histogram({
  name: 'sms_inbox_http_request_duration_seconds',
  help: 'HTTP requests by route, method and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/** The checks /readyz runs, also run at each scrape so alerts see an unready service. */
let readinessChecks: ReadinessCheck[] = [];
const runChecks = () =>
  Promise.all(
    readinessChecks.map(async (r) => {
      try {
        return [r.name, await r.check()] as const;
      } catch {
        return [r.name, false] as const;
      }
    }),
  );
new Gauge({
  name: 'sms_inbox_ready',
  help: '1 when every readiness check passes (broker, database, backing services), else 0',
  async collect() {
    this.set((await runChecks()).every(([, ok]) => ok) ? 1 : 0);
  },
});

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean> | boolean;
}

export interface HttpAppOptions {
  logger: Logger;
  readiness: ReadinessCheck[];
}

/** An express app with the operations endpoints in place; add routes, then call `finish`. */
export function createHttpApp(options: HttpAppOptions): Express {
  if (!defaultMetricsStarted) {
    collectDefaultMetrics({ prefix: 'sms_inbox_' });
    defaultMetricsStarted = true;
  }
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use((req, res, next) => {
    const end = httpDuration.startTimer();
    const traced = !UNTRACED.has(req.path);
    const parent = traced ? propagation.extract(ROOT_CONTEXT, req.headers) : ROOT_CONTEXT;
    // Named by method until the route is known; no URL, query or body (they can hold phones).
    const span = traced
      ? tracer.startSpan(
          req.method,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } },
          parent,
        )
      : undefined;
    res.on('finish', () => {
      // The matched route pattern keeps label values bounded; unmatched paths share one label.
      const route = (req.route?.path as string | undefined) ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
      if (!span) return;
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    if (!span) return next();
    const active = trace.setSpan(parent, span);
    // Body parsing resumes on the request's own events: keep them in the request's context.
    context.bind(active, req);
    context.bind(active, res);
    context.with(active, next);
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  readinessChecks = options.readiness;
  app.get('/readyz', async (_req, res) => {
    const results = await runChecks();
    const ready = results.every(([, ok]) => ok);
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', register.contentType);
    res.send(await register.metrics());
  });
  return app;
}

/** Unknown routes and every error, mapped once to `{"error": {"code", "message", …}}`. */
export function finishHttpApp(app: Express, logger: Logger): void {
  app.use((_req, _res, next) => next(new AppError('not_found', 'route_not_found', 'no such route')));
  const mapper: ErrorRequestHandler = (err, _req, res, _next) => {
    const appError = toAppError(err);
    if (appError.kind === 'internal') logger.error({ err }, 'request failed');
    const status = httpStatusOf[appError.kind];
    httpErrors.inc({ status: String(status), code: appError.code });
    // The rest of an oversized body was never read: the connection cannot carry another request.
    if (status === 413) res.setHeader('Connection', 'close');
    res
      .status(status)
      .json({ error: { code: appError.code, message: appError.message, ...appError.details } });
  };
  app.use(mapper);
}

function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  // body-parser and express errors carry a 4xx status and a type.
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (status === 413)
    return new AppError('payload_too_large', 'payload_too_large', 'request body is too large');
  if (e?.type === 'entity.parse.failed')
    return new AppError('invalid', 'malformed_body', 'request body is not valid');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('invalid', 'bad_request', e.message ?? 'bad request');
  }
  return new AppError('internal', 'internal', 'internal error', { cause: err });
}

/** Wraps an async route handler so a rejection reaches the error mapper. */
export function route(handler: (req: Request, res: Response) => Promise<unknown>) {
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).catch(next);
  };
}

export interface RunningHttpServer {
  port: number;
  server: Server;
  /** Stop accepting connections and wait for in-flight requests. */
  close(): Promise<void>;
}

export function listen(app: Express, port: number, host = '0.0.0.0'): Promise<RunningHttpServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      resolve({
        port: bound,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route an app serves, as "METHOD /path" (mounted routers included, all mounted at /). */
export function listRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          out.push(`${method.toUpperCase()} ${layer.route.path}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...new Set(out)];
}
