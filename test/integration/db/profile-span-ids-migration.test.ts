// The migration to one row per push (every sample type in it) with int8 span
// ids keeps the data: a row stored before it reads back as a one-type row with
// the same values, its span ids as their 64 bits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrate, readMigrations } from '../../../lib/db/migrate';
import { int8ToSpanId } from '../../../lib/datasources/embedded/pg-binary';
import { emptyDatabaseHooks } from '../../helpers/postgres';

const MIGRATION = '20261204140850_profile_push_rows';
const empty = emptyDatabaseHooks();

test('an old row becomes a one-type row; text span ids become their 64 bits, what was no span id 0', async () => {
  const all = readMigrations();
  const at = all.findIndex((m) => m.name === MIGRATION);
  assert.ok(at > 0);
  await migrate(empty.client, all.slice(0, at));
  await empty.client.query(
    `INSERT INTO embedded_profile (service, profile_type, labels, time_from, time_until, period, stack_ids, "values", span_ids, span_set, total)
     VALUES ('s', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', '{}', now(), now(), 1, ARRAY[1, 2, 3, 4]::int8[], ARRAY[10, 20, 30, 40]::int8[],
             ARRAY['4bf92f3577b34da6', '', 'ffffffffffffffff', '239']::text[], ARRAY['4bf92f3577b34da6', 'ffffffffffffffff', '239', 'not-hex']::text[], 100)`,
  );
  const r = await migrate(empty.client, all);
  assert.ok(r.applied.includes(MIGRATION));
  const row = (await empty.client.query<{ span_ids: string[]; span_set: string[]; profile_types: string[]; totals: string[]; values: string[] }>('SELECT span_ids, span_set, profile_types, totals, "values" FROM embedded_profile')).rows[0];
  assert.deepEqual(row.profile_types, ['process_cpu:cpu:nanoseconds:cpu:nanoseconds']);
  assert.deepEqual(row.totals, ['100']);
  assert.deepEqual(row.values, ['10', '20', '30', '40']);
  assert.deepEqual(row.span_ids.map(int8ToSpanId), ['4bf92f3577b34da6', '0000000000000000', 'ffffffffffffffff', '0000000000000239']);
  assert.deepEqual(row.span_set.map(int8ToSpanId), ['4bf92f3577b34da6', 'ffffffffffffffff', '0000000000000239']);
  // The GIN index is back and answers the span lookup.
  const hit = await empty.client.query(`SELECT count(*)::int AS n FROM embedded_profile WHERE span_set && ARRAY[-1]::int8[]`);
  assert.equal(hit.rows[0].n, 1);
  assert.equal((await empty.client.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'embedded_profile_span_set_idx'`)).rows[0].n, 1);
});
