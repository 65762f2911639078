import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPromQL, describeProblem, withSampleWindow } from '../../../lib/promql/validate';

test('checkPromQL: valid queries pass, each problem is named with its position', () => {
  const table: { q: string; opts?: Parameters<typeof checkPromQL>[1]; problem?: RegExp; column?: number }[] = [
    { q: 'sum(rate(http_requests_total{code!~"5.."}[5m]))' },
    { q: 'histogram_fraction(0, 2, sum(rate(x[5m])))' },
    { q: 'sum by (le) (rate(a_bucket[5m])) / ignoring(le) group_left sum(rate(a_count[5m]))' },
    // The parser's own type checks, as the Prometheus UI shows them.
    { q: 'rate(x)', problem: /expected type matrix in call to function "rate", got vector/, column: 6 },
    // An unclosed bracket at the end: the editor forgives it while typing, a save does not.
    { q: 'sum(rate(x[5m])', problem: /unexpected end of query/, column: 16 },
    { q: 'foo bar', problem: /unexpected "bar"/, column: 5 },
    { q: '   ', problem: /the query is empty/, column: 1 },
    { q: 'x'.repeat(4001), problem: /4001 characters long; at most 4000/ },
    // Positions are line and column on multi-line queries.
    { q: 'sum(\n  rate(x)\n)', problem: /expected type matrix/, column: 8 },
    // {{.window}} only where an SLI query allows it…
    { q: 'rate(x[{{.window}}])', problem: /only allowed in SLI queries/, column: 8 },
    { q: 'rate(x[{{.window}}])', opts: { windowPlaceholder: true } },
    { q: 'rate(x[{{ .window }}])', opts: { windowPlaceholder: true } },
    // …and an SLI or a rule needs an instant result.
    { q: 'x[5m]', opts: { instant: true }, problem: /returns a range vector/ },
    { q: 'x[5m]' },
  ];
  for (const t of table) {
    const problems = checkPromQL(t.q, t.opts);
    if (!t.problem) {
      assert.deepEqual(problems, [], t.q);
      continue;
    }
    assert.ok(problems.length >= 1, `${t.q}: a problem`);
    assert.match(problems[0].message, t.problem, t.q);
    if (t.column) assert.equal(problems[0].column, t.column, `${t.q}: column`);
  }
  const [p] = checkPromQL('sum(\n  rate(x)\n)');
  assert.equal(describeProblem(p), 'line 2, column 8: expected type matrix in call to function "rate", got vector');
});

test('withSampleWindow keeps every offset: the placeholder becomes a duration of the same length', () => {
  const q = 'sum(rate(x[{{.window}}])) / sum(rate(y[{{ .window }}]))';
  const s = withSampleWindow(q);
  assert.equal(s.length, q.length);
  assert.equal(s.indexOf('/'), q.indexOf('/'));
  assert.match(s, /\[5m +\]/);
  // A problem after a placeholder is reported at the original text's offset.
  const bad = 'sum(rate(x[{{.window}}])) / rate(y)';
  const [p] = checkPromQL(bad, { windowPlaceholder: true });
  assert.equal(bad.slice(p.from, p.to), 'y');
});
