import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ZodError } from 'zod';
import { createPrisma } from '../../../lib/db';
import type { PrismaClient } from '../../../lib/generated/prisma/client';
import { createIncident, getIncidentBySlug, renameIncident } from '../../../lib/incidents/store';
import { createSlo, getSlo, updateSlo } from '../../../lib/slo/store';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres';

let pg: TestPostgres;
let db: PrismaClient;
before(async () => {
  pg = await startTestPostgres();
  db = createPrisma(pg.url);
});
after(async () => {
  await db?.$disconnect();
  await pg?.stop();
});

const spec = (target: number) => ({
  metadata: { name: 'completions-latency' },
  spec: {
    service: 'trisight-sandbox',
    indicator: {
      metadata: { name: 'fast-completions' },
      spec: {
        ratioMetric: {
          good: { metricSource: { type: 'Prometheus', spec: { query: 'sum(rate(gen_ai_server_request_duration_seconds_bucket{le="1"}[5m]))' } } },
          total: { metricSource: { type: 'Prometheus', spec: { query: 'sum(rate(gen_ai_server_request_duration_seconds_count[5m]))' } } },
        },
      },
    },
    timeWindow: [{ duration: '28d' }],
    objectives: [{ target }],
  },
});

test('an SLO is created with revision 1, updated to revision 2, and both revisions are kept', async () => {
  const slo = await createSlo(db, spec(0.99));
  assert.equal(slo.revision, 1);
  await updateSlo(db, slo.id, spec(0.995), 'tighten after incident');
  const read = await getSlo(db, slo.id);
  assert.ok(read);
  assert.equal(read.revision, 2);
  assert.deepEqual(read.revisions.map((r) => r.revision), [2, 1]);
  assert.equal((read.spec as any).spec.objectives[0].target, 0.995);
  assert.equal((read.revisions[1].spec as any).spec.objectives[0].target, 0.99);
  assert.equal(read.revisions[0].message, 'tighten after incident');
  assert.equal((read.spec as any).apiVersion, 'openslo/v1');
});

test('an invalid SLO is rejected with the field named and nothing is stored', async () => {
  const before = await db.slo.count();
  await assert.rejects(createSlo(db, { ...spec(1.5), metadata: { name: 'Bad Name' } }), (e: unknown) => {
    assert.ok(e instanceof ZodError);
    const paths = e.issues.map((i) => i.path.join('.'));
    assert.ok(paths.includes('metadata.name'));
    assert.ok(paths.includes('spec.objectives.0.target'));
    return true;
  });
  assert.equal(await db.slo.count(), before);
  assert.equal(await db.sloRevision.count({ where: { slo: { name: 'Bad Name' } } }), 0);
});

test('an incident link is created, read back by slug and renamed', async () => {
  const inc = await createIncident(db, {
    title: 'p99 spike after deploy',
    from: '2026-11-22T05:00:00Z',
    to: '2026-11-22T06:00:00Z',
    state: { path: '/sandbox/runs/abc', params: { tab: 'ttft', bucket: '0.5-1' } },
    frozen: { histogram: [1, 2, 3] },
  });
  assert.match(inc.slug, /^[a-z2-9]{12}$/);
  const read = await getIncidentBySlug(db, inc.slug);
  assert.equal(read?.title, 'p99 spike after deploy');
  assert.deepEqual(read?.state, { path: '/sandbox/runs/abc', params: { tab: 'ttft', bucket: '0.5-1' } });
  assert.deepEqual(read?.frozen, { histogram: [1, 2, 3] });
  await renameIncident(db, inc.slug, 'p99 spike: prefix cache off');
  assert.equal((await getIncidentBySlug(db, inc.slug))?.title, 'p99 spike: prefix cache off');
  await assert.rejects(createIncident(db, { title: 'x', from: '2026-11-22T06:00:00Z', to: '2026-11-22T05:00:00Z', state: { path: '/', params: {} } }), /from must be before to/);
});
