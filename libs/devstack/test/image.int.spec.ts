// The image's build and start steps, run here the way the Dockerfile runs them (no Docker engine
// on this machine): scripts/image/build.sh makes the production tree, and the service starts
// from it with the image's entry point, without sources, dev dependencies or tsx.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  eventually,
  freePort,
  type NatsServer,
  repoRoot,
  SERVICE_NODE_FLAGS,
  startNats,
  tempDir,
} from '../src/index.js';

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
// The image's entry point runs the service with the flags the local stack uses.
const ENTRYPOINT = ['node', ...SERVICE_NODE_FLAGS, 'dist/main.js'];

/** Builds a service's production tree as the Dockerfile does; returns it and the service's folder. */
function buildImageTree(service: string): { out: string; built: string } {
  const out = tempDir(`image-${service}`);
  const built = execFileSync('bash', [join(repoRoot, 'scripts/image/build.sh'), service, out], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
  return { out, built };
}

/**
 * Starts the built service with the image's entry point until `ready` answers, runs `check`,
 * then stops it with SIGTERM: it must exit 0.
 */
async function runImage(
  built: string,
  env: Record<string, string>,
  ready: string,
  check: () => Promise<void>,
): Promise<void> {
  const child = spawn(ENTRYPOINT[0]!, ENTRYPOINT.slice(1), {
    cwd: built,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await eventually(async () => ((await fetch(ready)).ok ? true : undefined), 30_000);
    await check();
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats?.stop();
});

it('builds in the Node LTS image of the version the tests and the local stack run on', () => {
  const tools = readFileSync(join(repoRoot, 'scripts/ensure-tools.sh'), 'utf8');
  const version = /^NODE_VERSION="(\d+\.\d+\.\d+)"$/m.exec(tools)?.[1];
  expect(version).toMatch(/^24\./);
  expect(dockerfile).toMatch(
    new RegExp(`^ARG NODE_IMAGE=node:${version!.replaceAll('.', '\\.')}-bookworm-slim$`, 'm'),
  );
  // What runs this test: the project's Node when the machine's is older (ensure-tools.sh).
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  expect(manifest.engines.node).toBe('>=24');
});

it('builds in a maintained Node LTS image, runs the build script, and starts as a non-root user', () => {
  const from = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own ARG reference
  expect(from).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
  expect(dockerfile).toContain('RUN test -n "$SERVICE" && bash scripts/image/build.sh "$SERVICE" /out');
  expect(dockerfile).toContain(`ENTRYPOINT ${JSON.stringify(ENTRYPOINT).replaceAll(',', ', ')}`);
  expect(dockerfile).toMatch(/^USER 1000:1000$/m);
  expect(dockerfile).not.toMatch(/:latest\b/);
  const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');
  for (const entry of ['**/node_modules', '.git', '.tools', '.data']) expect(ignore).toContain(entry);
});

it('starts the built gateway from its production tree with the image entry point, and stops on SIGTERM', async () => {
  const { out, built } = buildImageTree('gateway');
  expect(built).toBe(join(out, 'services/gateway'));
  // Production only: no TypeScript sources, no dev tools.
  expect(existsSync(join(built, 'src'))).toBe(false);
  expect(existsSync(join(out, 'node_modules/typescript'))).toBe(false);
  expect(existsSync(join(out, 'node_modules/tsx'))).toBe(false);

  const port = await freePort();
  const env = {
    GATEWAY_PORT: String(port),
    NATS_URL: nats.url,
    SHOPIFY_API_KEY: 'image-key',
    SHOPIFY_API_SECRET: 'image-secret',
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: 'image-token',
  };
  await runImage(built, env, `http://127.0.0.1:${port}/healthz`, async () => {
    const doc = await fetch(`http://127.0.0.1:${port}/v1/openapi.json`);
    expect(doc.status).toBe(200);
  });
}, 240_000);

it('starts the built inbox page from its production tree: the bundle in it, React and Vite not', async () => {
  const { out, built } = buildImageTree('inbox-web');
  expect(existsSync(join(built, 'dist/web/index.html'))).toBe(true);
  // The browser's code is bundled: its libraries are build tools here.
  for (const tool of ['vite', 'react', '@shopify/polaris'])
    expect({ tool, present: existsSync(join(out, 'node_modules', tool)) }).toEqual({ tool, present: false });

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  await runImage(
    built,
    { INBOX_WEB_PORT: String(port), SHOPIFY_API_KEY: 'k' },
    `${base}/readyz`,
    async () => {
      const page = await (await fetch(`${base}/`)).text();
      const script = /src="\.\/(assets\/index-[\w-]+\.js)"/.exec(page)?.[1];
      expect(script).toBeDefined();
      expect((await fetch(`${base}/${script}`)).status).toBe(200);
    },
  );
}, 240_000);
