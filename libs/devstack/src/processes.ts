// Starting and stopping the processes of a stack on this machine: nats-server, FerretDB and the
// services. Tests and the local stack both use these; every process gets its own port and temp
// directory, and is stopped (or killed) when asked.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (nx.json)');
    dir = parent;
  }
  return dir;
})();

/** Ports this process has handed out, so two services of one stack never get the same. */
const handedOut = new Set<number>();

/** Whether nothing listens on `port` (any address) right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const server = createServer();
    server.unref();
    server.once('error', () => answer(false));
    server.listen(port, '0.0.0.0', () => server.close(() => answer(true)));
  });
}

/**
 * A port that is free now, below the kernel's ephemeral range (32768 and up here): a port the OS
 * picks from that range can be taken by an outgoing connection's local end before the service
 * binds it (seen as EADDRINUSE at a service's start), a port below it cannot.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}

export async function waitForTcp(port: number, timeoutMs = 20_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((done) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => {
        socket.destroy();
        done(false);
      });
      socket.connect(port, host);
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `sms-inbox-${prefix}-`));
}

/** A child process the stack owns. */
export class ManagedProcess {
  private exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((done) => {
      if (child.exitCode !== null) done(child.exitCode);
      child.once('exit', (code) => done(code));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: the crash drills' tool. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** `signal` (SIGTERM), then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  whenExited(): Promise<number | null> {
    return this.exited;
  }

  /** The replicas a service's supervisor runs (REPLICAS > 1): its children that are replicas. */
  replicaPids(): number[] {
    const parent = this.child.pid;
    if (parent === undefined || !this.running) return [];
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        // Not every child is a replica (tsx's esbuild service is one too).
        if (
          ppid === parent &&
          `\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`.includes('\0SERVICE_REPLICA=')
        )
          pids.push(Number(entry));
      } catch {
        // the process ended meanwhile
      }
    }
    return pids.sort((a, b) => a - b);
  }
}

function spawnLogged(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; logFile?: string; cwd?: string; user?: { uid?: number; gid?: number } },
) {
  const out = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(command, args, {
    ...options.user,
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? process.env,
    stdio: ['ignore', out, out],
  });
  return new ManagedProcess(name, child);
}

export interface NatsServer {
  url: string;
  port: number;
  storeDir: string;
  process: ManagedProcess;
  /** Stop (SIGTERM) and start again on the same port and store. */
  restart(): Promise<void>;
  /** An outage: stopped, data kept, until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export function natsServerBinary(): string {
  const local = join(repoRoot, '.tools/bin/nats-server');
  return process.env.NATS_SERVER_BIN ?? (existsSync(local) ? local : 'nats-server');
}

export async function startNats(
  options: { port?: number; storeDir?: string; logFile?: string; keepData?: boolean } = {},
): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? tempDir('nats');
  mkdirSync(storeDir, { recursive: true });
  const launch = async () => {
    const proc = spawnLogged(
      'nats-server',
      natsServerBinary(),
      ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
      {
        logFile: options.logFile,
      },
    );
    await waitForTcp(port);
    return proc;
  };
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    process: await launch(),
    restart: async () => {
      await server.process.stop();
      server.process = await launch();
    },
    down: () => server.process.stop(),
    up: async () => {
      if (!server.process.running) server.process = await launch();
    },
    stop: async () => {
      await server.process.stop();
      if (!options.keepData && !options.storeDir) rmSync(storeDir, { recursive: true, force: true });
    },
  };
  return server;
}

export interface Postgres {
  port: number;
  dataDir: string;
  process: ManagedProcess;
  /**
   * After a bulk load, the maintenance PostgreSQL would do over the next minutes, done now:
   * vacuums and analyses every database (autovacuum), then writes the dirty pages out (the
   * checkpointer) and flushes them to disk (the kernel's writeback).
   */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** The folder of Debian's PostgreSQL programs (the newest installed), or POSTGRES_BIN_DIR. */
export function postgresBinDir(): string {
  if (process.env.POSTGRES_BIN_DIR) return process.env.POSTGRES_BIN_DIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) {
    throw new Error('PostgreSQL is not installed: run scripts/ensure-tools.sh (npm test and npm start do)');
  }
  return join(root, versions[0], 'bin');
}

/**
 * Who runs PostgreSQL: this user, or `postgres` when this is root (initdb and postgres refuse
 * to run as root), in which case the cluster's folder is handed to that user.
 */
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line)
    throw new Error("running as root needs the postgres user (Debian's postgresql package creates it)");
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function runAs(
  user: { uid?: number; gid?: number },
  command: string,
  args: string[],
  logFile?: string,
): Promise<void> {
  return new Promise((done, fail) => {
    const out = logFile ? openSync(logFile, 'a') : 'ignore';
    const child = spawn(command, args, { ...user, stdio: ['ignore', out, out], cwd: tmpdir() });
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0
        ? done()
        : fail(new Error(`${command} ${args.join(' ')} exited with ${code}; see ${logFile}`)),
    );
  });
}

/**
 * A PostgreSQL cluster of the stack's own: created in `dataDir` on first use (UTF-8, collation
 * C: strings compare by code point, as MongoDB compares them), listening on 127.0.0.1 only.
 * `durable: false` (tests) turns off fsync: a test's data does not outlive the machine.
 */
export async function startPostgres(options: {
  port?: number;
  dataDir: string;
  logFile?: string;
  durable?: boolean;
}): Promise<Postgres> {
  const bin = postgresBinDir();
  const user = postgresUser();
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user.uid !== undefined) chownSync(dataDir, user.uid, user.gid!);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await runAs(
      user,
      join(bin, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--locale=C.UTF-8',
        '--lc-collate=C',
        '--no-sync',
      ],
      options.logFile,
    );
  }
  const port = options.port ?? (await freePort());
  const settings = [
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    // FerretDB's cached statements would keep a generic plan that ignores indexes made later.
    'plan_cache_mode=force_custom_plan',
    'max_connections=200',
    // Statistics and the visibility map soon after bulk writes, so the planner picks the indexes
    // (and counts from the index alone) without waiting for the default autovacuum rhythm. The
    // thresholds stay PostgreSQL's (10% changed to analyse, 20% to vacuum): at 2% and 5% the
    // workers took 14% of the machine while scheduled replies went out (docs/architecture.md).
    'autovacuum_naptime=1s',
    ...(options.durable === false ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ];
  const proc = spawnLogged(
    'postgres',
    join(bin, 'postgres'),
    ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])],
    { user, logFile: options.logFile, cwd: tmpdir() },
  );
  const connection = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'];
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!proc.running) throw new Error(`postgres exited while starting; see ${options.logFile}`);
    try {
      await runAs({}, join(bin, 'pg_isready'), ['-q', ...connection]);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    dataDir,
    process: proc,
    settle: async () => {
      await runAs({}, join(bin, 'vacuumdb'), ['--all', '--analyze', '--quiet', ...connection]);
      await runAs({}, join(bin, 'psql'), ['-q', '-d', 'postgres', '-c', 'CHECKPOINT', ...connection]);
      await runAs({}, 'sync', []);
    },
    // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
    stop: () => proc.stop(15_000, 'SIGINT'),
  };
}

/**
 * Where the cluster of a store in `dataDir` lives: `dataDir/postgres`, unless this is root and
 * the postgres user cannot reach that folder (a checkout under a private home), in which case a
 * folder of the same name in the temp folder, kept across restarts.
 */
function clusterDir(dataDir: string): string {
  const wanted = join(resolve(dataDir), 'postgres');
  if (process.getuid?.() !== 0) return wanted;
  chmodSync(dataDir, 0o755);
  for (let dir = dirname(wanted); dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      const hash = createHash('sha256').update(wanted).digest('hex').slice(0, 12);
      return join(tmpdir(), `sms-inbox-postgres-${hash}`);
    }
  }
  return wanted;
}

export interface FerretDb {
  uri: string;
  port: number;
  dataDir: string;
  process: ManagedProcess;
  postgres: Postgres;
  /** Stops and starts FerretDB (PostgreSQL keeps running). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A tool that scripts/ensure-tools.sh puts in `.tools/bin` (or the path in `envVar`). */
function installedTool(name: string, envVar: string): string {
  const bin = process.env[envVar] ?? join(repoRoot, '.tools/bin', name);
  if (!existsSync(bin)) {
    throw new Error(
      `${name} is not installed at ${bin}: run scripts/ensure-tools.sh (npm test and npm start do)`,
    );
  }
  return bin;
}

export const ferretDbBinary = () => installedTool('ferretdb', 'FERRETDB_BIN');

/**
 * The local MongoDB-wire store: our patched FerretDB (scripts/ensure-tools.sh) on a PostgreSQL
 * cluster of its own in `dataDir/postgres` (a temp folder unless given). See
 * docs/architecture.md, "The local store".
 */
export async function startFerretDb(
  options: { port?: number; dataDir?: string; logFile?: string; durable?: boolean } = {},
): Promise<FerretDb> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? tempDir('ferretdb');
  mkdirSync(dataDir, { recursive: true });
  const postgres = await startPostgres({
    dataDir: clusterDir(dataDir),
    logFile: options.logFile,
    durable: options.durable ?? options.dataDir !== undefined,
  });
  const launch = async () => {
    const proc = spawnLogged(
      'ferretdb',
      ferretDbBinary(),
      [
        '--handler=postgresql',
        `--postgresql-url=postgres://postgres@127.0.0.1:${postgres.port}/postgres`,
        `--listen-addr=127.0.0.1:${port}`,
        '--telemetry=disable',
        `--state-dir=${resolve(dataDir)}`,
        '--debug-addr=-',
        '--log-level=warn',
      ],
      // FerretDB allocates for every document it converts; at Go's default heap target its
      // collector took an eighth of its CPU on the inbox's reads. A few megabytes more heap
      // make that a quarter as often.
      { logFile: options.logFile, env: { ...process.env, GOGC: process.env.GOGC ?? '400' } },
    );
    await waitForTcp(port);
    return proc;
  };
  let proc: ManagedProcess;
  try {
    proc = await launch();
  } catch (err) {
    await postgres.stop();
    throw err;
  }
  const db: FerretDb = {
    uri: `mongodb://127.0.0.1:${port}/`,
    port,
    dataDir,
    process: proc,
    postgres,
    restart: async () => {
      await db.process.stop();
      db.process = await launch();
    },
    stop: async () => {
      await db.process.stop();
      await postgres.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (!options.dataDir && !postgres.dataDir.startsWith(resolve(dataDir))) {
        rmSync(postgres.dataDir, { recursive: true, force: true });
      }
    },
  };
  return db;
}

export const SERVICE_NAMES = [
  'subscriber',
  'conversation',
  'delivery',
  'scheduler',
  'ingestion',
  'gateway',
  'inbox-web',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Node's flags for a service, as the image's entry point gives them (the image test checks they
 * agree). V8 sizes its heap from the machine's memory: capped at 16 MB semi-spaces, the compiled
 * services stayed at 139–194 MB RSS after 600 webhooks where they reached 137–271 MB with V8's
 * default, no slower; with the old generation capped at 160 MB (a service's live data is 50–60
 * MB), every service peaked under 195 MB at the bench's highest rates, where the conversation and
 * delivery services had reached 290–330 MB on garbage V8 let pile up between full collections
 * (docs/benchmarks.md, "Sixth pass").
 */
export const SERVICE_NODE_FLAGS = [
  '--enable-source-maps',
  '--max-semi-space-size=16',
  '--max-old-space-size=160',
] as const;

/**
 * Runs a service: from its TypeScript sources through tsx (no build step; the tests), or compiled
 * (`dist/`, as its image runs it; the local stack and the bench, after `buildServices()`).
 */
export function spawnService(
  name: ServiceName,
  env: NodeJS.ProcessEnv,
  logFile?: string,
  options: { compiled?: boolean } = {},
): ManagedProcess {
  const cwd = join(repoRoot, 'services', name);
  const args = options.compiled
    ? [...SERVICE_NODE_FLAGS, 'dist/main.js']
    : [...SERVICE_NODE_FLAGS, '--conditions=development', '--import', 'tsx', 'src/main.ts'];
  return spawnLogged(name, process.execPath, args, { cwd, env, logFile });
}

/** Compiles every service and the libs they use to `dist/` (nx caches what did not change). */
export function buildServices(): void {
  execFileSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules/nx/bin/nx.js'),
      'run-many',
      '-t',
      'build',
      '--projects=@sms-inbox/*-service',
      '--output-style=stream',
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    },
  );
}

/**
 * Builds the inbox page alone (Vite, about 2 s) into services/inbox-web/dist/web: what the tests
 * need to serve it from the service's sources.
 */
export function buildInboxWeb(): void {
  const cwd = join(repoRoot, 'services/inbox-web');
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

/** Debian's Chromium (scripts/ensure-tools.sh installs it), or CHROMIUM_PATH. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    throw new Error('Chromium is not installed: run scripts/ensure-tools.sh (or set CHROMIUM_PATH)');
  }
}
