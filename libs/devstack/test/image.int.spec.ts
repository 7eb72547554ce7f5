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
  const out = tempDir('image');
  const built = execFileSync('bash', [join(repoRoot, 'scripts/image/build.sh'), 'gateway', out], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
  expect(built).toBe(join(out, 'services/gateway'));
  // Production only: no TypeScript sources, no dev tools.
  expect(existsSync(join(built, 'src'))).toBe(false);
  expect(existsSync(join(out, 'node_modules/typescript'))).toBe(false);
  expect(existsSync(join(out, 'node_modules/tsx'))).toBe(false);

  const port = await freePort();
  const child = spawn(ENTRYPOINT[0]!, ENTRYPOINT.slice(1), {
    cwd: built,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      GATEWAY_PORT: String(port),
      NATS_URL: nats.url,
      SHOPIFY_API_KEY: 'image-key',
      SHOPIFY_API_SECRET: 'image-secret',
      TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
      TWILIO_AUTH_TOKEN: 'image-token',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined),
      30_000,
    );
    const doc = await fetch(`http://127.0.0.1:${port}/v1/openapi.json`);
    expect(doc.status).toBe(200);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}, 240_000);

it('starts the built inbox page from its production tree: the bundle in it, React and Vite not', async () => {
  const out = tempDir('image-web');
  const built = execFileSync('bash', [join(repoRoot, 'scripts/image/build.sh'), 'inbox-web', out], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
  expect(existsSync(join(built, 'dist/web/index.html'))).toBe(true);
  // The browser's code is bundled: its libraries are build tools here.
  for (const tool of ['vite', 'react', '@shopify/polaris'])
    expect({ tool, present: existsSync(join(out, 'node_modules', tool)) }).toEqual({ tool, present: false });

  const port = await freePort();
  const child = spawn(ENTRYPOINT[0]!, ENTRYPOINT.slice(1), {
    cwd: built,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      INBOX_WEB_PORT: String(port),
      SHOPIFY_API_KEY: 'k',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined),
      30_000,
    );
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    const script = /src="\.\/(assets\/index-[\w-]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`http://127.0.0.1:${port}/${script}`)).status).toBe(200);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}, 240_000);
