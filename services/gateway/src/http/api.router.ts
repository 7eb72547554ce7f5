// The dashboard REST API (docs/api.md): serves the declared routes (routes/*.routes.ts, each with
// its schemas): session-token auth, the per-shop rate limit and the body limit on every /v1 route
// that needs a session, request validation by the route's schemas, and its success status.
import { express, type Request, route } from '@sms-inbox/http';
import { type AnyRoute, parse } from './api-route.js';
import type { RateLimiter } from './security.js';
import type { Session, SessionVerifier } from './session-token.js';

export interface ApiDeps {
  sessions: SessionVerifier;
  rateLimiter: RateLimiter;
  bodyLimitBytes: number;
}

const sessionOf = (req: Request) => (req as Request & { session: Session }).session;

export function apiRouter(routes: readonly AnyRoute[], deps: ApiDeps) {
  const router = express.Router();
  const serve = (r: AnyRoute) =>
    router[r.method](
      r.path,
      route(async (req, res) => {
        const out = await r.handle({
          req,
          res,
          session: sessionOf(req),
          query: r.query ? parse(r.query, req.query) : undefined,
          body: r.body ? parse(r.body, req.body ?? {}) : undefined,
        });
        if (out !== undefined) res.status(r.status ?? 200).json(out);
      }),
    );

  for (const r of routes) if (r.auth === false) serve(r);
  router.use('/v1', (req, _res, next) => {
    deps.sessions.verify(authorizationOf(req)).then((session) => {
      (req as Request & { session: Session }).session = session;
      next();
    }, next);
  });
  router.use(
    '/v1',
    deps.rateLimiter.middleware((req) => sessionOf(req).shop),
  );
  router.use('/v1', express.json({ limit: deps.bodyLimitBytes }));
  for (const r of routes) if (r.auth !== false) serve(r);
  return router;
}

/**
 * The Authorization header; for the live stream also `?access_token=`, because browsers'
 * EventSource cannot set headers.
 */
function authorizationOf(req: Request): string | undefined {
  const header = req.header('authorization');
  if (header) return header;
  const token = req.query.access_token;
  return req.path === '/events' && typeof token === 'string' ? `Bearer ${token}` : undefined;
}
