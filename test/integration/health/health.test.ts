import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { parseConfig } from '../../../lib/config';
import { checkHealth, type ComponentHealth, type HealthReport } from '../../../lib/health';
import { startFixtureServer, type FixtureServer } from '../../helpers/fixture-server';
import { startPrometheus, type PrometheusHandle } from '../../helpers/prometheus';
import { startTestPostgres, testPool, type TestPostgres } from '../../helpers/postgres';

// Health against real servers: embedded Postgres, Debian's Prometheus, and
// small HTTP servers on 127.0.0.1 answering as Tempo, Pyroscope and the sandbox do.

let db: TestPostgres;
let pool: pg.Pool;
let prom: PrometheusHandle;
let tempo: FixtureServer;
let pyroscope: FixtureServer;
let sandbox: FixtureServer;
let hanging: FixtureServer;
let closedPort: number;

before(async () => {
  db = await startTestPostgres({ migrate: false });
  pool = testPool(db.url, 2);
  prom = await startPrometheus({ scrapeTargets: [] });
  tempo = await startFixtureServer([
    { path: '/api/status/buildinfo', body: { version: '2.6.1', revision: 'abc1234', branch: 'HEAD', goVersion: 'go1.23.2' } },
  ]);
  // A Pyroscope without buildinfo: the check falls back to /ready.
  pyroscope = await startFixtureServer([{ path: '/ready', body: 'ready\n' }]);
  sandbox = await startFixtureServer([
    { path: '/healthz', body: { status: 'ok', backend: 'webgpu', adapter: 'SwiftShader <b>Device</b>', preset: 'otel-genai' } },
  ]);
  hanging = await startFixtureServer([{ path: /.*/, body: 'late', delayMs: 5_000 }]);
  closedPort = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
});

after(async () => {
  await pool?.end();
  await Promise.allSettled([db?.stop(), prom?.stop(), tempo?.stop(), pyroscope?.stop(), sandbox?.stop(), hanging?.stop()]);
});

const byName = (r: HealthReport) => Object.fromEntries(r.components.map((c) => [c.name, c])) as Record<ComponentHealth['name'], ComponentHealth>;
const query = (sql: string) => pool.query(sql);

test('everything configured and up: connected with versions; embedded Postgres is "embedded"', async () => {
  const config = parseConfig({
    DATABASE_URL: db.url,
    PROMETHEUS_URL: prom.url,
    TEMPO_URL: tempo.url,
    PYROSCOPE_URL: pyroscope.url,
    SANDBOX_URL: sandbox.url,
    TELEMETRY_TENANT: 'team-a',
  });
  const r = await checkHealth({ config, embeddedPostgres: true, query });
  const c = byName(r);
  assert.equal(r.ok, true);
  assert.deepEqual(r.components.map((x) => x.name), ['postgres', 'prometheus', 'tempo', 'pyroscope', 'sandbox']);

  assert.equal(c.postgres.state, 'embedded');
  assert.match(c.postgres.version ?? '', /^18\./);
  assert.match(c.postgres.detail ?? '', /^PostgreSQL 18/);
  // Neither the embedded server's address nor its credentials reach the page.
  assert.equal(c.postgres.target, undefined);
  assert.ok(!JSON.stringify(r).includes(new URL(db.url).port));

  assert.equal(c.prometheus.state, 'connected');
  // Debian's prometheus reports its own version through the API.
  assert.match(c.prometheus.version ?? '', /^\d+\.\d+\.\d+/);

  assert.equal(c.tempo.state, 'connected');
  assert.equal(c.tempo.version, '2.6.1');
  assert.equal(tempo.last('/api/status/buildinfo').headers['x-scope-orgid'], 'team-a');

  assert.equal(c.pyroscope.state, 'connected');
  assert.equal(c.pyroscope.version, undefined);
  assert.deepEqual(pyroscope.requests.map((q) => q.path), ['/api/v1/status/buildinfo', '/ready']);

  assert.equal(c.sandbox.state, 'connected');
  assert.equal(c.sandbox.mode, 'external', 'a SANDBOX_URL the launcher did not start is someone else\'s');
  // Telemetry-ish text is passed as plain text; the page renders it as text.
  assert.equal(c.sandbox.detail, 'backend webgpu · adapter SwiftShader <b>Device</b> · preset otel-genai');
});

test('unset backend URLs are embedded; the non-external Postgres is "connected"', async () => {
  const config = parseConfig({ DATABASE_URL: db.url, SANDBOX_URL: sandbox.url });
  const c = byName(await checkHealth({ config, embeddedPostgres: false, query }));
  assert.equal(c.postgres.state, 'connected');
  assert.equal(c.postgres.mode, 'external');
  const managed = byName(await checkHealth({ config, embeddedPostgres: false, sandboxManaged: true, query }));
  assert.equal(managed.sandbox.mode, 'embedded', 'the launcher runs the bundled sandbox');
  for (const n of ['prometheus', 'tempo', 'pyroscope'] as const) {
    assert.equal(c[n].state, 'embedded', n);
    assert.equal(c[n].mode, 'embedded');
    assert.ok(c[n].detail);
  }
});

test('down, hanging and misconfigured components are unreachable with the error and a hint, within the timeout', async () => {
  const dead = `http://127.0.0.1:${closedPort}`;
  const config = parseConfig({
    DATABASE_URL: `postgresql://u:secret@127.0.0.1:${closedPort}/x`,
    PROMETHEUS_URL: dead,
    TEMPO_URL: hanging.url,
    PYROSCOPE_URL: `${tempo.url}/nothing-here`,
    SANDBOX_URL: dead,
    HEALTH_TIMEOUT_MS: '400',
  });
  const extPool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 1 });
  try {
    const t0 = Date.now();
    const r = await checkHealth({ config, embeddedPostgres: false, query: (sql) => extPool.query(sql) });
    const elapsed = Date.now() - t0;
    const c = byName(r);
    assert.equal(r.ok, false);
    for (const comp of r.components) {
      assert.equal(comp.state, 'unreachable', comp.name);
      assert.ok(comp.error, `${comp.name} has an error`);
      assert.ok(comp.hint, `${comp.name} has a hint`);
    }
    assert.match(c.postgres.error!, /ECONNREFUSED/);
    assert.ok(!JSON.stringify(c.postgres).includes('secret'));
    assert.match(c.prometheus.error!, /cannot reach prometheus .*ECONNREFUSED/);
    assert.match(c.prometheus.hint!, /PROMETHEUS_URL/);
    assert.match(c.tempo.error!, /did not answer within/);
    // 404 on both buildinfo and /ready: the backend's own words are kept.
    assert.match(c.pyroscope.error!, /no fixture route/);
    assert.match(c.sandbox.error!, /\/healthz: .*ECONNREFUSED/);
    assert.match(c.sandbox.hint!, /SANDBOX_URL/);
    // Checked in parallel with one budget each: well under the sum of timeouts.
    assert.ok(elapsed < 2_000, `took ${elapsed} ms`);
  } finally {
    await extPool.end();
  }
});

test('no DATABASE_URL: Postgres is unreachable and says how to fix it', async () => {
  const config = parseConfig({ SANDBOX_URL: sandbox.url });
  const c = byName(await checkHealth({ config, embeddedPostgres: false, query: () => Promise.reject(new Error('must not be called')) }));
  assert.equal(c.postgres.state, 'unreachable');
  assert.equal(c.postgres.error, 'DATABASE_URL is not set');
  assert.match(c.postgres.hint!, /npm start/);
});
