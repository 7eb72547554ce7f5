// The Helm chart, verified offline: helm lint and template for each set of values, every rendered
// object valid against the Kubernetes (and prometheus-operator) schemas, the policies every
// workload must meet, values.schema.json refusing bad values, and skaffold.yaml pointing at
// things that exist.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '../src/index.js';

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field below
type K8s = any;

const helm = join(repoRoot, '.tools/bin/helm');
const chart = join(repoRoot, 'charts/sms-inbox');
const SERVICES = ['gateway', 'ingestion', 'subscriber', 'conversation', 'delivery', 'scheduler', 'inbox-web'];
const KUBE = ['--kube-version', '1.31.0'];

const VALUE_SETS: Record<string, string[]> = {
  default: [],
  'default with every option on': [
    '--set',
    'ingress.enabled=true',
    '--set',
    'metrics.serviceMonitor.enabled=true',
    '--set',
    'metrics.prometheusRule.enabled=true',
    '--set',
    'metrics.dashboard.enabled=true',
    '--set',
    'telemetry.otlpEndpoint=http://collector:4318',
  ],
  production: ['-f', join(repoRoot, 'deploy/values-production.yaml')],
  staging: ['-f', join(repoRoot, 'deploy/values-staging.yaml')],
  dev: ['-f', join(repoRoot, 'deploy/values-dev.yaml')],
  minimal: ['-f', join(repoRoot, 'deploy/values-minimal.yaml')],
};

const run = (args: string[]) => execFileSync(helm, args, { encoding: 'utf8', stdio: 'pipe' });
const render = (flags: string[]): K8s[] =>
  parseAllDocuments(run(['template', 'sms-inbox', chart, ...KUBE, ...flags]))
    .map((d) => d.toJSON())
    .filter(Boolean);

const MODELS: Record<string, Record<string, new (o: K8s) => { validate(): void }>> = {
  v1: core as never,
  'apps/v1': apps as never,
  'autoscaling/v2': autoscaling as never,
  'batch/v1': batch as never,
  'networking.k8s.io/v1': networking as never,
  'policy/v1': policy as never,
  'monitoring.coreos.com/v1': monitoring as never,
};

const rendered = Object.fromEntries(Object.entries(VALUE_SETS).map(([name, flags]) => [name, render(flags)]));
const workloads = (objects: K8s[]) =>
  objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.each(Object.keys(VALUE_SETS))('%s values', (name) => {
  const objects = rendered[name]!;

  it('passes helm lint', () => {
    expect(run(['lint', chart, ...KUBE, ...VALUE_SETS[name]!])).toContain('0 chart(s) failed');
  });

  it('renders only objects valid against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) {
      const Model = MODELS[o.apiVersion]?.[o.kind];
      expect({ kind: `${o.apiVersion}/${o.kind}`, known: Boolean(Model) }).toEqual({
        kind: `${o.apiVersion}/${o.kind}`,
        known: true,
      });
      expect(() => new Model!(o).validate()).not.toThrow();
    }
  });

  it('gives every workload probes on the real endpoints, resources, a restricted security context, labels and pinned images', () => {
    for (const w of workloads(objects)) {
      const where = `${w.kind}/${w.metadata.name}`;
      const pod = w.spec.template.spec;
      for (const key of [
        'app.kubernetes.io/name',
        'app.kubernetes.io/instance',
        'app.kubernetes.io/component',
        'app.kubernetes.io/part-of',
        'app.kubernetes.io/managed-by',
      ])
        expect({
          where,
          key,
          object: w.metadata.labels[key] !== undefined,
          pod: w.spec.template.metadata.labels[key] !== undefined,
        }).toEqual({ where, key, object: true, pod: true });
      expect({ where, ...pod.securityContext }).toMatchObject({
        where,
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect({ where, automount: pod.automountServiceAccountToken }).toEqual({ where, automount: false });
      for (const c of pod.containers) {
        expect({ where, image: c.image }).toEqual({
          where,
          image: expect.stringMatching(/^[^\s]+:(?!latest$)[\w][\w.-]*$/),
        });
        expect({ where, ...c.securityContext }).toMatchObject({
          where,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        for (const kind of ['requests', 'limits'])
          expect({ where, kind, ...c.resources?.[kind] }).toEqual({
            where,
            kind,
            cpu: expect.anything(),
            memory: expect.anything(),
          });
        if (w.kind === 'Job') continue;
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
          expect({ where, probe, set: Boolean(c[probe]) }).toEqual({ where, probe, set: true });
      }
    }
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      const c = d.spec.template.spec.containers[0];
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      const grpc = c.ports.find((p: K8s) => p.name === 'grpc');
      // gRPC services are checked through grpc.health.v1 on their gRPC port.
      if (grpc) expect(c.livenessProbe.grpc).toEqual({ port: grpc.containerPort });
      else expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    }
  });

  it('runs every service, with graceful shutdown inside the grace period', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.labels['app.kubernetes.io/component']).sort()).toEqual(
      [...SERVICES].sort(),
    );
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-config'));
    for (const d of deployments)
      expect(Number(config.data.SHUTDOWN_TIMEOUT_MS)).toBeLessThan(
        d.spec.template.spec.terminationGracePeriodSeconds * 1000,
      );
  });

  it('has a PodDisruptionBudget for each workload that runs more than one replica', () => {
    const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    for (const w of objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind))) {
      const hpa = hpas.find((h) => h.spec.scaleTargetRef.name === w.metadata.name);
      const replicas = hpa ? hpa.spec.minReplicas : (w.spec.replicas ?? 1);
      if (replicas <= 1) continue;
      const labels = w.spec.template.metadata.labels;
      expect({
        workload: w.metadata.name,
        pdb: pdbs.some((p) => matches(p.spec.selector.matchLabels, labels)),
      }).toEqual({ workload: w.metadata.name, pdb: true });
    }
  });

  it('covers every workload with a NetworkPolicy for ingress and egress when policies are on', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    if (name === 'dev' || name === 'minimal') {
      expect(policies).toEqual([]);
      return;
    }
    for (const w of workloads(objects)) {
      const labels = w.spec.template.metadata.labels;
      const covering = policies.filter((p) => matches(p.spec.podSelector.matchLabels, labels));
      expect({
        workload: w.metadata.name,
        types: covering.flatMap((p) => p.spec.policyTypes).sort(),
      }).toEqual({
        workload: w.metadata.name,
        types: ['Egress', 'Ingress'],
      });
    }
  });
});

describe('network paths', () => {
  const policies = rendered.default!.filter((o: K8s) => o.kind === 'NetworkPolicy');
  const policy = (component: string) =>
    policies.find((p: K8s) => p.metadata.name === `sms-inbox-${component}`);
  const callers = (component: string) =>
    policy(component)
      .spec.ingress.filter((rule: K8s) => rule.ports?.some((p: K8s) => p.port === 'grpc'))
      .flatMap((rule: K8s) =>
        rule.from.map((f: K8s) => f.podSelector.matchLabels['app.kubernetes.io/component']),
      )
      .sort();

  it('lets only the designed callers reach the gRPC services', () => {
    expect(callers('subscriber')).toEqual(['conversation', 'delivery', 'gateway', 'ingestion', 'scheduler']);
    expect(callers('conversation')).toEqual(['gateway']);
  });

  it('opens the ingress controller only to gateway, ingestion and the inbox page, and Twilio only to those that call it', () => {
    const fromIngress = (c: string) =>
      policy(c).spec.ingress.some((rule: K8s) =>
        rule.from.some(
          (f: K8s) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'ingress-nginx',
        ),
      );
    const toTwilio = (c: string) =>
      policy(c).spec.egress.some((rule: K8s) => rule.ports?.some((p: K8s) => p.port === 443));
    expect(SERVICES.filter(fromIngress).sort()).toEqual(['gateway', 'inbox-web', 'ingestion']);
    expect(SERVICES.filter(toTwilio).sort()).toEqual(['delivery', 'gateway', 'ingestion']);
  });
});

describe('values.schema.json', () => {
  it.each([
    ['an image tagged latest', 'image.tag=latest'],
    ['zero replicas', 'services.gateway.replicas=0'],
    ['a public base URL that is not http(s)', 'publicBaseUrl=ftp://webhooks.example.com'],
    ['an unknown log level', 'logLevel=loud'],
    ['a memory limit that is not a quantity', 'services.delivery.resources.limits.memory=lots'],
    ['two stream replicas (no quorum)', 'nats.streamReplicas=2'],
    ['a service the chart does not know', 'services.extra.replicas=1'],
    ['a Twilio CIDR that is not one', 'networkPolicy.twilioCidr=everywhere'],
    ["an account sid that is not Twilio's", 'secrets.twilioAccountSid=not-a-sid'],
  ])('rejects %s', (_what, value) => {
    let message = '';
    try {
      run(['template', 'sms-inbox', chart, ...KUBE, '--set', value]);
    } catch (err) {
      message = String((err as { stderr?: string }).stderr);
    }
    expect(message).toContain("values don't meet the specifications of the schema");
  });
});

describe('skaffold.yaml', () => {
  const skaffold = parse(readFileSync(join(repoRoot, 'skaffold.yaml'), 'utf8'));

  it('builds every service from the Dockerfile and names only paths that exist', () => {
    const artifacts = skaffold.build.artifacts as K8s[];
    expect(artifacts.map((a) => a.docker.buildArgs.SERVICE).sort()).toEqual([...SERVICES].sort());
    for (const a of artifacts) {
      expect(existsSync(join(repoRoot, a.context, a.docker.dockerfile))).toBe(true);
      expect(existsSync(join(repoRoot, 'services', a.docker.buildArgs.SERVICE, 'src/main.ts'))).toBe(true);
    }
    const release = skaffold.manifests.helm.releases[0];
    expect(existsSync(join(repoRoot, release.chartPath, 'Chart.yaml'))).toBe(true);
    const valueFiles = [
      ...release.valuesFiles,
      ...skaffold.profiles.flatMap((p: K8s) =>
        (p.patches ?? []).flatMap((patch: K8s) => (Array.isArray(patch.value) ? patch.value : [])),
      ),
    ];
    expect(valueFiles).toContain('deploy/values-production.yaml');
    for (const file of valueFiles)
      expect({ file, exists: existsSync(join(repoRoot, file)) }).toEqual({ file, exists: true });
    for (const a of artifacts)
      expect(release.setValueTemplates[`services.${a.docker.buildArgs.SERVICE}.image`]).toBe(
        `{{.IMAGE_FULLY_QUALIFIED_${a.image.replaceAll('-', '_')}}}`,
      );
    expect(skaffold.profiles.map((p: K8s) => p.name).sort()).toEqual(['dev', 'prod']);
  });
});
