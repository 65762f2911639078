import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPrisma } from '../../../lib/db';
import type { PrismaClient } from '../../../lib/generated/prisma/client';
import { createIncident, getIncidentBySlug, renameIncident } from '../../../lib/incidents/store';
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
