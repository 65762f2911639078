import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { freePort } from '../../../lib/db/embedded';
import { defaultAlertWindows } from '../../../lib/slo/maths';
import { appDatabaseHooks } from '../../helpers/postgres';

// A latency SLO while the configured Prometheus does not answer: which bucket
// bound the threshold uses cannot be read, so the save is refused naming
// Prometheus and stores nothing (saved without its bound, the SLI would use
// le="<threshold>", which may match no series), and the editor's preview says
// the same instead of "no buckets yet".

const db = appDatabaseHooks();
let routes: {
  slos: typeof import('../../../app/api/slos/route');
  preview: typeof import('../../../app/api/slos/preview/route');
};

before(async () => {
  // A port nothing listens on: connection refused, as with a Prometheus that is down.
  process.env.PROMETHEUS_URL = `http://127.0.0.1:${await freePort()}`;
  delete process.env.TRISIGHT_PROMETHEUS_RULES_DIR;
  routes = { slos: await import('../../../app/api/slos/route'), preview: await import('../../../app/api/slos/preview/route') };
});

const definition = {
  name: 'ttft-under-prometheus-down',
  service: 'trisight-sandbox',
  objective: 95,
  window: { kind: 'rolling', duration: '30d' },
  sli: { kind: 'latency', metric: 'gen_ai_server_time_to_first_token_seconds', thresholdSeconds: 1.1 },
  // The workbook's windows for 30 days, as the editor fills them in.
  alerting: { name: 'TtftBudgetBurn', ...defaultAlertWindows(30 * 86_400_000) },
};
const post = (path: string, body: unknown) => new Request(`http://127.0.0.1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('saving a latency SLO while Prometheus is down: 502 naming Prometheus and the metric, no row', async () => {
  const r = await routes.slos.POST(post('/api/slos', { definition }));
  const body = (await r.json()) as { error: { backend?: string; message: string } };
  assert.equal(r.status, 502, JSON.stringify(body));
  assert.equal(body.error.backend, 'prometheus');
  assert.match(body.error.message, /bucket bounds of gen_ai_server_time_to_first_token_seconds/);
  const rows = await db.pool.query('SELECT count(*)::int AS n FROM slo');
  assert.equal(rows.rows[0].n, 0);
});

test('the preview says the bounds could not be read, naming Prometheus (not "no buckets yet")', async () => {
  const r = await routes.preview.POST(post('/api/slos/preview', { definition }));
  const body = (await r.json()) as { error: { backend?: string; message: string } };
  assert.equal(r.status, 502, JSON.stringify(body));
  assert.equal(body.error.backend, 'prometheus');
  assert.match(body.error.message, /bucket bounds/);
});
