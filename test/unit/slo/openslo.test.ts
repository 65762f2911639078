import assert from 'node:assert/strict';
import { test } from 'node:test';
import YAML from 'yaml';
import { importDocuments } from '../../../lib/slo/import';
import { SloDefinition } from '../../../lib/slo/model';
import { toOpenSLO } from '../../../lib/slo/openslo';
import { sloTemplates } from '../../../lib/slo/templates';

const templates = sloTemplates('semconv', 'trisight-sandbox').map((t) => SloDefinition.parse(t.definition));

test('export → import is lossless for every SLI kind, in multi-document YAML and in JSON', () => {
  const defs = [
    ...templates,
    SloDefinition.parse({ ...templates[0], name: 'native-ttft', owner: 'ml-platform', displayName: 'TTFT (native)', labels: { team: 'serving' }, sli: { kind: 'latency', metric: 'ttft_seconds', histogram: 'native', thresholdSeconds: 2 } }),
    SloDefinition.parse({ ...templates[0], name: 'trace-latency', sli: { kind: 'trace', filter: '{ resource.service.name = "trisight-sandbox" && kind = server }', thresholdMs: 2000 } }),
    SloDefinition.parse({ ...templates[1], name: 'calendar', window: { kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' }, budgetingMethod: 'Timeslices', timeSlice: { window: '1m', target: 0.95 } }),
  ];
  const docs = toOpenSLO(defs);
  // One Service (shared), then an SLI and an SLO per definition.
  assert.deepEqual(
    docs.map((d) => d.kind),
    ['Service', ...defs.flatMap(() => ['SLI', 'SLO'])],
  );
  const yaml = docs.map((d) => YAML.stringify(d)).join('---\n');
  for (const text of [yaml, JSON.stringify(docs)]) {
    const r = importDocuments(text);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    assert.equal(r.format, 'openslo');
    assert.deepEqual(r.definitions, defs);
  }
});

const SLI = `apiVersion: openslo/v1
kind: SLI
metadata:
  name: errors
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        type: Prometheus
        spec:
          query: http_requests_total{code=~"5.."}
    total:
      metricSource:
        type: Prometheus
        spec:
          query: http_requests_total
`;
const SLO = (extra = '') => `apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-availability
  displayName: API availability
spec:
  service: api
  indicatorRef: errors
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - targetPercent: 99.9
${extra}`;

test('a document another tool wrote: referenced SLI, selector queries, targetPercent, several objectives', () => {
  const r = importDocuments(`${SLI}---\n${SLO()}`);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  const [d] = r.definitions;
  assert.equal(d.name, 'api-availability');
  assert.equal(d.objective, 99.9);
  assert.deepEqual(d.window, { kind: 'rolling', duration: '28d' });
  // A counter selector becomes a rate over each window.
  assert.deepEqual(d.sli, { kind: 'ratio', bad: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))', total: 'sum(rate(http_requests_total[{{.window}}]))' });
  // The workbook's windows with 28-day factors.
  assert.equal(d.alerting.page.quick.long, '1h');
  // Two objectives: two SLOs, named as Sloth names them.
  const two = importDocuments(`${SLI}---\n${SLO('    - displayName: strict\n      target: 0.9999\n')}`);
  assert.ok(two.ok, JSON.stringify(!two.ok && two.problems));
  assert.deepEqual(
    two.definitions.map((x) => [x.name, x.objective]),
    [
      ['api-availability-0', 99.9],
      ['api-availability-1', 99.99],
    ],
  );
  // Inline SLI, Timeslices and RatioTimeslices budgeting.
  const inline = importDocuments(
    SLO().replace('  indicatorRef: errors\n', `  indicator:\n${SLI.split('\n').slice(2).map((l) => `    ${l}`).join('\n')}\n`).replace('budgetingMethod: Occurrences', 'budgetingMethod: RatioTimeslices').replace('- targetPercent: 99.9', '- targetPercent: 99.9\n      timeSliceWindow: 5m'),
  );
  assert.ok(inline.ok, JSON.stringify(!inline.ok && inline.problems));
  assert.deepEqual(inline.definitions[0].timeSlice, { window: '5m' });
  assert.equal(inline.definitions[0].budgetingMethod, 'RatioTimeslices');
});

test('bad documents: the path of the bad field and the reason, nothing half-imported', () => {
  const table: { name: string; text: string; path: string; says: RegExp }[] = [
    { name: 'wrong kind', text: `${SLI}---\n${SLO().replace('kind: SLO', 'kind: ServiceLevelObjective')}`, path: 'documents[1].kind', says: /unknown kind "ServiceLevelObjective"/ },
    { name: 'wrong apiVersion', text: SLO().replace('openslo/v1', 'openslo/v2alpha'), path: 'documents[0].apiVersion', says: /only openslo\/v1/ },
    { name: 'objective 100 %', text: `${SLI}---\n${SLO().replace('targetPercent: 99.9', 'targetPercent: 100')}`, path: 'documents[1].spec.objectives[0].targetPercent', says: /100/ },
    { name: 'objective 0', text: `${SLI}---\n${SLO().replace('targetPercent: 99.9', 'target: 0')}`, path: 'documents[1].spec.objectives[0].target', says: /must be above 0/ },
    { name: 'unknown window', text: `${SLI}---\n${SLO().replace('duration: 28d', 'duration: 90d')}`, path: 'documents[1].spec.timeWindow[0].duration', says: /unknown window "90d"/ },
    { name: 'missing SLI', text: SLO(), path: 'documents[0].spec.indicatorRef', says: /no SLI named "errors"/ },
    { name: 'not Prometheus', text: `${SLI.replace(/Prometheus/g, 'Datadog')}---\n${SLO()}`, path: 'documents[0].spec.ratioMetric.bad.metricSource.type', says: /Trisight evaluates Prometheus queries; this source is "Datadog"/ },
    { name: 'invalid PromQL', text: `${SLI.replace('http_requests_total{code=~"5.."}', 'sum(rate(http_requests_total[{{.window}}])')}---\n${SLO()}`, path: 'documents[0].spec.ratioMetric.bad.metricSource.spec.query', says: /invalid PromQL at line 1, column \d+: unexpected end of query/ },
    { name: 'an aggregation without {{.window}}', text: `${SLI.replace('http_requests_total{code=~"5.."}', 'sum(x)')}---\n${SLO()}`, path: 'documents[0].spec.ratioMetric.bad.metricSource.spec.query', says: /with \{\{\.window\}\}/ },
    { name: 'threshold SLI', text: `${SLI.replace(/ratioMetric:[\s\S]*/, 'thresholdMetric:\n    metricSource:\n      type: Prometheus\n      spec:\n        query: x\n')}---\n${SLO()}`, path: 'documents[0].spec.thresholdMetric', says: /threshold SLIs are not supported/ },
    { name: 'bad name', text: `${SLI}---\n${SLO().replace('name: api-availability', 'name: API_Availability')}`, path: 'documents[1].metadata.name', says: /RFC 1123/ },
    { name: 'YAML syntax', text: 'apiVersion: openslo/v1\nkind: [SLO\n', path: 'documents[0]', says: /^YAML: / },
    { name: 'a 1 MB document', text: `# ${'x'.repeat(1024 * 1024)}\n${SLO()}`, path: 'body', says: /at most 256 KiB/ },
    { name: 'duplicate name in one document', text: `${SLI}---\n${SLO()}---\n${SLO()}`, path: 'documents[2].metadata.name', says: /appears twice/ },
    { name: 'neither format', text: 'hello: world\n', path: 'documents[0].apiVersion', says: /not an OpenSLO document/ },
    { name: 'Sloth plugin SLI', text: 'version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 99\n    sli:\n      plugin:\n        id: x\n', path: 'slos[0].sli.plugin', says: /plugins cannot be imported/ },
    { name: 'Sloth objective 100', text: 'version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 100\n    sli:\n      raw:\n        error_ratio_query: avg_over_time(x[{{.window}}])\n', path: 'slos[0].objective', says: /must be below 100/ },
    { name: 'Sloth bad query', text: 'version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 99\n    sli:\n      events:\n        error_query: rate(x)\n        total_query: sum(rate(t[{{.window}}]))\n', path: 'slos[0].sli.events.error_query', says: /expected type matrix in call to function "rate"/ },
  ];
  for (const t of table) {
    const r = importDocuments(t.text);
    assert.ok(!r.ok, `${t.name}: refused`);
    if (r.ok) continue;
    const p = r.problems.find((x) => x.path === t.path);
    assert.ok(p, `${t.name}: a problem at ${t.path}; got ${JSON.stringify(r.problems)}`);
    assert.match(p.message, t.says, t.name);
  }
});

test('import under a new name applies to a single SLO and is validated like any name', () => {
  const r = importDocuments(`${SLI}---\n${SLO()}`, { rename: 'api-availability-copy' });
  assert.ok(r.ok);
  assert.equal(r.definitions[0].name, 'api-availability-copy');
  const bad = importDocuments(`${SLI}---\n${SLO()}`, { rename: 'Not Valid' });
  assert.ok(!bad.ok && bad.problems[0].path === 'name');
});
