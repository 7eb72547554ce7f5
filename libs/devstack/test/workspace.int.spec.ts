// Architecture rules of the workspace, read from Nx's project graph.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../src/index.js';

interface Graph {
  graph: {
    nodes: Record<string, { data: { root: string } }>;
    dependencies: Record<string, Array<{ target: string }>>;
  };
}

let graph: Graph['graph'];

beforeAll(() => {
  const dir = tempDir('nx-graph');
  const file = join(dir, 'graph.json');
  execFileSync(process.execPath, [join(repoRoot, 'node_modules/nx/bin/nx.js'), 'graph', `--file=${file}`], {
    cwd: repoRoot,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    stdio: 'pipe',
  });
  graph = (JSON.parse(readFileSync(file, 'utf8')) as Graph).graph;
  rmSync(dir, { recursive: true, force: true });
});

const rootOf = (name: string) => graph.nodes[name]?.data.root ?? '';

it('knows all six services, the inbox page and the libs', () => {
  const services = Object.keys(graph.nodes).filter((n) => rootOf(n).startsWith('services/'));
  expect(services.sort()).toEqual(
    ['conversation', 'delivery', 'gateway', 'inbox-web', 'ingestion', 'scheduler', 'subscriber'].map(
      (s) => `@sms-inbox/${s}-service`,
    ),
  );
});

it('lets services depend on libs (and the generated contracts) only, never on each other', () => {
  for (const [source, deps] of Object.entries(graph.dependencies)) {
    if (!rootOf(source).startsWith('services/')) continue;
    for (const dep of deps) {
      if (dep.target.startsWith('npm:')) continue;
      expect({ source, target: dep.target, root: rootOf(dep.target) }).toEqual({
        source,
        target: dep.target,
        root: expect.stringMatching(/^libs\//),
      });
    }
  }
});

it('keeps libs free of service dependencies', () => {
  for (const [source, deps] of Object.entries(graph.dependencies)) {
    if (!rootOf(source).startsWith('libs/')) continue;
    expect(deps.map((d) => rootOf(d.target)).filter((r) => r.startsWith('services/'))).toEqual([]);
  }
});
