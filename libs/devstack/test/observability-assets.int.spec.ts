// The alert rules, their unit tests, the Grafana dashboard and the runbooks agree with each
// other and with the metrics the code exports.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../src/index.js';

const dir = join(repoRoot, 'charts/sms-inbox/files');
const promtool = (...args: string[]) =>
  execFileSync('promtool', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });

/** Every metric name the code registers (prom-client `name: 'sms_inbox_…'`). */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      if (entry === 'node_modules' || entry === 'gen' || entry === 'dist') continue;
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (full.endsWith('.ts') && !full.includes('.spec.'))
        for (const m of readFileSync(full, 'utf8').matchAll(/name: '(sms_inbox_[a-z_]+)'/g)) names.add(m[1]!);
    }
  };
  for (const top of ['libs', 'services']) walk(join(repoRoot, top));
  return names;
}

/** Metric names used in a PromQL expression, without histogram suffixes. */
const usedMetrics = (expr: string) =>
  [...expr.matchAll(/\b(sms_inbox_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''));
/** prom-client's default process and Node.js metrics, under our prefix. */
const isDefaultMetric = (name: string) => /^sms_inbox_(process|nodejs)_/.test(name);

it('passes promtool check rules', () => {
  expect(promtool('check', 'rules', 'alerts.yaml')).toContain('SUCCESS: 8 rules found');
});

it('passes the promtool unit tests, which fire the lag and failure-ratio alerts', () => {
  expect(promtool('test', 'rules', 'alerts.test.yaml')).toContain('SUCCESS');
  const tests = readFileSync(join(dir, 'alerts.test.yaml'), 'utf8');
  for (const alert of ['SmsInboxConsumerLagGrowing', 'SmsInboxDeliveryFailureRatio'])
    expect(tests).toMatch(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
});

it('alerts only on metrics the code exports, each with a runbook section', () => {
  const rules = readFileSync(join(dir, 'alerts.yaml'), 'utf8');
  const exported = exportedMetrics();
  for (const name of usedMetrics(rules))
    expect({ name, exported: exported.has(name) }).toEqual({ name, exported: true });
  const runbooks = readFileSync(join(repoRoot, 'docs/runbooks.md'), 'utf8');
  const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
  expect(alerts.length).toBe(8);
  for (const alert of alerts) {
    expect(runbooks).toContain(`## ${alert}\n`);
    expect(rules).toContain(`runbook_url: docs/runbooks.md#${alert.toLowerCase()}`);
  }
});

it('has a Grafana dashboard whose panels query exported metrics', () => {
  const dashboard = JSON.parse(readFileSync(join(dir, 'grafana-dashboard.json'), 'utf8')) as {
    uid: string;
    panels: Array<{ id: number; title: string; targets: Array<{ expr: string }> }>;
  };
  expect(dashboard.uid).toBe('sms-inbox-overview');
  expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  const exported = exportedMetrics();
  for (const panel of dashboard.panels) {
    for (const target of panel.targets) {
      const names = usedMetrics(target.expr);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names)
        expect({ panel: panel.title, name, exported: exported.has(name) || isDefaultMetric(name) }).toEqual({
          panel: panel.title,
          name,
          exported: true,
        });
    }
  }
});
