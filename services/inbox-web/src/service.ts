// The inbox page's server: the built single-page app as static files, with the usual operations
// endpoints. The page talks only to the gateway's public API; this process holds no data and
// calls nothing. It writes the page's settings (where the API is) into index.html, and inside the
// Shopify admin (a request with `host`/`embedded`) adds App Bridge, which hands the page its
// session tokens.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpApp, express, finishHttpApp, listen, type Request, type Response } from '@sms-inbox/http';
import { createLogger, type Running } from '@sms-inbox/platform';
import type { Config } from './config.js';
import { pageHeaders, renderIndex } from './page.js';

export interface RunningInboxWeb extends Running {
  port: number;
}

/** Vite's output beside the compiled server (`dist/web`), whether run from `src/` or `dist/`. */
const defaultStaticDir = () => join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'web');

export async function startInboxWeb(config: Readonly<Config>): Promise<RunningInboxWeb> {
  const logger = createLogger('inbox-web', config.LOG_LEVEL);
  const staticDir = config.INBOX_WEB_STATIC_DIR ?? defaultStaticDir();
  const indexFile = join(staticDir, 'index.html');
  const template = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined;
  if (!template) logger.error({ staticDir }, 'the page is not built (npm run build -w services/inbox-web)');

  const app = createHttpApp({
    logger,
    readiness: [{ name: 'page', check: () => template !== undefined }],
  });
  const site = express.Router();
  // Hashed file names: cached for good; everything else is the page itself.
  site.use(
    '/assets',
    express.static(join(staticDir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
    }),
  );
  const page = (req: Request, res: Response) => {
    const embedded = typeof req.query.host === 'string' || req.query.embedded === '1';
    for (const [name, value] of Object.entries(pageHeaders(config, embedded))) res.setHeader(name, value);
    if (!template) {
      res.status(503).type('text/plain').send('The inbox page is not built yet.');
      return;
    }
    res.type('html').send(renderIndex(template, config, embedded));
  };
  // The open conversation is in the query (`?conversation=`): one document for every address.
  site.get('/', page);
  const base = config.INBOX_WEB_BASE_PATH;
  if (base !== '/') {
    // Relative asset addresses need the trailing slash.
    app.get(base.slice(0, -1), (req, res, next) => {
      const [path, query] = req.originalUrl.split(/(?=\?)/);
      if (path!.endsWith('/')) return next();
      res.redirect(308, `${base}${query ?? ''}`);
    });
  }
  app.use(base, site);
  finishHttpApp(app, logger);

  const http = await listen(app, config.INBOX_WEB_PORT);
  logger.info({ port: http.port }, 'inbox page served');
  return { port: http.port, stop: () => http.close() };
}
