import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPrisma } from '../../../lib/db';
import type { PrismaClient } from '../../../lib/generated/prisma/client';
import { createIncident, getIncident, revokeIncident } from '../../../lib/incidents/store';
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

test('an incident link is created with a fresh slug, read back and revoked once', async () => {
  const inc = await createIncident(
    db,
    { title: 'p99 spike after deploy', note: '', from: Date.parse('2026-11-22T05:00:00Z'), to: Date.parse('2026-11-22T06:00:00Z'), view: { path: '/explore', search: 'tq=%7B%7D' }, requests: ['/api/traces/search?q=%7B%7D'], freeze: false, expiresInHours: 24 },
    { id: 'u1', name: 'ana', role: 'editor', via: 'session' },
  );
  assert.match(inc.slug, /^[a-km-np-z2-9]{26}$/);
  const read = await getIncident(db, inc.slug);
  assert.equal(read?.title, 'p99 spike after deploy');
  assert.deepEqual(read?.view, { path: '/explore', search: 'tq=%7B%7D' });
  assert.deepEqual([read?.createdBy, read?.createdById, read?.state], ['ana', 'u1', 'live']);
  assert.ok(Date.parse(read!.expiresAt!) > Date.now() + 23 * 3_600_000);
  await revokeIncident(db, inc.slug, 'bo');
  await revokeIncident(db, inc.slug, 'cy');
  const gone = await getIncident(db, inc.slug);
  assert.deepEqual([gone?.state, gone?.revokedBy], ['revoked', 'bo']);
});
