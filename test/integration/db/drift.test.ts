import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { diffCatalogs, expectedCatalog, getDmmf, readCatalog, type Catalog } from '../../../lib/db/drift';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres';

let db: TestPostgres;
let client: pg.Client;
let actual: Catalog;
const schema = readFileSync('prisma/schema.prisma', 'utf8');

before(async () => {
  db = await startTestPostgres();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  actual = await readCatalog(client);
});
after(async () => {
  await client?.end();
  await db?.stop();
});

test('schema.prisma and prisma/migrations describe the same database', () => {
  const diff = diffCatalogs(expectedCatalog(getDmmf(schema)), actual);
  assert.deepEqual(diff, [], `drift between schema.prisma and migrations:\n${diff.join('\n')}\nAdd a migration for the schema change.`);
});

test('the drift check notices a schema change that has no migration', () => {
  const changed = schema.replace(/(model Incident \{\n)/, '$1  severity  String\n');
  assert.notEqual(changed, schema);
  const diff = diffCatalogs(expectedCatalog(getDmmf(changed)), actual);
  assert.deepEqual(diff, ['column incident.severity: schema.prisma says text not null no default, migrations give absent']);
});

test('the drift check notices a changed index and a changed nullability', () => {
  const changed = schema.replace('@@index([createdAt])', '@@index([createdAt, target])').replace('error      String?', 'error      String');
  const diff = diffCatalogs(expectedCatalog(getDmmf(changed)), actual);
  assert.ok(diff.some((d) => d.startsWith('column load_run.error: schema.prisma says text not null')), diff.join('\n'));
  assert.ok(diff.some((d) => d.includes('index load_run:index(created_at,target): in schema.prisma')), diff.join('\n'));
});
