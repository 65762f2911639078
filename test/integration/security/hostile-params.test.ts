import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApp, type AppHandle } from '../../helpers/app';
import { rawRequest } from '../../helpers/raw-http';

// Every numeric (and not so numeric) query parameter of the app's API against
// a table of hostile values, on a real `npm start`: answers are 2xx or 4xx with
// a message, never a 5xx and never a hang. From issue 9: `?to=9223372036855`
// (500 bigint out of range), `?bucket=0-99999999999` (500), `?bucket=0-1e308`
// (502 "Infinityus").

let app: AppHandle;
let runId: string;
let traceId: string;

before(async () => {
  // With the embedded Prometheus, so the PromQL completion routes are exercised for real.
  app = await startApp();
  const r = await fetch(`${app.url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target: 'sandbox', requests: 3, concurrency: 1, promptLength: { mode: 'fixed', tokens: 8 }, maxTokens: 2, temperature: 0, p0Fraction: 1, seed: 1 }),
  });
  assert.equal(r.status, 201);
  runId = ((await r.json()) as { id: string }).id;
  for (;;) {
    const run = (await (await fetch(`${app.url}/api/runs/${runId}?samples=1`)).json()) as { status: string; samples?: { traceId: string[] } };
    if (run.status !== 'queued' && run.status !== 'running') {
      traceId = run.samples?.traceId[0] ?? '0'.repeat(32);
      break;
    }
    await new Promise((res) => setTimeout(res, 300));
  }
});
after(async () => {
  await app?.stop();
});

const HOSTILE = [
  '9223372036855',
  '9223372036854775808',
  '-1',
  '-0',
  '0',
  '1e308',
  '1e309',
  'Infinity',
  'NaN',
  '0x10',
  '1.5',
  '',
  '%00',
  '%E0%A4%A',
  "1' OR '1'='1",
  'x'.repeat(5000),
  '0-99999999999',
  '0-1e308',
  '1e308-inf',
  '5-1',
  '[]',
];

test('a table of hostile query parameters never gets a 5xx', { timeout: 600_000 }, async () => {
  const routes: [string, string[]][] = [
    ['/api/runs', ['limit']],
    [`/api/runs/${'RUN'}`, ['samples']],
    ['/api/runs/RUN/latency', ['metric']],
    ['/api/runs/RUN/traces', ['bucket', 'limit', 'metric']],
    ['/api/runs/RUN/flame', ['compare']],
    ['/api/runs/RUN/span-profile', ['trace', 'span']],
    ['/api/traces/TRACE', ['from', 'to']],
    ['/api/promql/labels', ['start', 'end', 'match[]']],
    ['/api/promql/series', ['start', 'end', 'match[]']],
    ['/api/promql/metadata', ['limit', 'metric']],
    ['/api/targets', ['x']],
    ['/api/health', ['x']],
  ];
  const failures: string[] = [];
  for (const [template, params] of routes) {
    const path = template.replace('RUN', runId).replace('TRACE', traceId);
    for (const p of params) {
      for (const v of HOSTILE) {
        // Alone, and beside a valid partner where the route needs one.
        const partner = p === 'from' ? `&to=${Date.now()}` : p === 'to' ? '&from=0' : p === 'limit' && path.endsWith('/traces') ? '&bucket=0-inf' : '';
        const url = `${app.url}${path}?${encodeURIComponent(p)}=${/%/.test(v) ? v : encodeURIComponent(v)}${partner}`;
        const r = await rawRequest(url);
        if (r.status >= 500) failures.push(`${r.status} ${url.slice(app.url.length, app.url.length + 140)}: ${r.body.slice(0, 160)}`);
        else if (r.status >= 400) assert.ok(/"message"|"error"|\S/.test(r.body), `a ${r.status} without a message for ${url}`);
      }
    }
  }
  // The paths themselves: ids that are not ids.
  for (const bad of ['../../etc/passwd', '%00', 'x'.repeat(3000), '9223372036855']) {
    for (const template of ['/api/runs/ID', '/api/runs/ID/latency', '/api/traces/ID', '/api/runs/ID/events', '/api/users/ID']) {
      const r = await rawRequest(`${app.url}${template.replace('ID', encodeURIComponent(bad))}`);
      if (r.status >= 500) failures.push(`${r.status} ${template} with ${bad.slice(0, 30)}: ${r.body.slice(0, 160)}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('the cases from the issue get 400s that name the parameter', async () => {
  const to = await rawRequest(`${app.url}/api/traces/${traceId}?from=0&to=9223372036855`);
  assert.equal(to.status, 400);
  assert.match(to.body, /to must be unix ms up to 9223372036854/);
  for (const bucket of ['0-99999999999', '0-1e308']) {
    const r = await rawRequest(`${app.url}/api/runs/${runId}/traces?bucket=${bucket}`);
    assert.equal(r.status, 400, r.body);
    assert.match(r.body, /bucket must look like/);
  }
});
