// Retention for the embedded stores, so the database does not grow without
// bound: by age (EMBEDDED_RETENTION, default 24h), counted from when the app
// received the data, so a client with a skewed clock cannot keep data forever;
// and by size (EMBEDDED_MAX_BYTES): past it, the oldest spans and profiles go
// until the stores are back to 80 % of it.
import type pg from 'pg';
import { currentStackRefreshMs, forgetKnownStacks, setStackRefreshMs, stackRefreshMs } from './profile-ingest';

type Db = Pick<pg.Pool, 'query' | 'connect'>;

export interface CleanupResult {
  spans: number;
  profiles: number;
  stacks: number;
  /** rows deleted to get under EMBEDDED_MAX_BYTES (included in spans and profiles) */
  bySize?: { spans: number; profiles: number; bytesBefore: number };
}

const SIZED_TABLES = ['embedded_span', 'embedded_profile'] as const;
type SizedTable = (typeof SIZED_TABLES)[number];
/** Heap tuple header and line pointer, on top of the columns' own widths. */
const ROW_OVERHEAD = 28;

/**
 * The live data of a table in bytes, estimated from Postgres's own statistics
 * (rows × average row width, after a fresh ANALYZE). Not the file size: space
 * freed by deletes stays in the files and is reused, so files stop growing once
 * the live data is bounded, while a bound on file size would delete forever.
 */
export async function liveBytes(db: Pick<pg.PoolClient, 'query'>, table: SizedTable): Promise<{ rows: number; bytes: number }> {
  await db.query(`ANALYZE ${table}`);
  const r = await db.query<{ rows: number; width: number }>(
    `SELECT greatest(c.reltuples, 0)::float8 AS rows,
            (SELECT coalesce(sum(s.avg_width), 0)::float8 FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname) AS width
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = $1::regclass`,
    [table],
  );
  const { rows, width } = r.rows[0] ?? { rows: 0, width: 0 };
  return { rows, bytes: rows * (width + ROW_OVERHEAD) };
}

/**
 * Deletes the oldest spans and profiles (by received_at) when their live data
 * exceeds `maxBytes`, the same share of each, down to 80 % of it (so the next
 * pass does not delete again at once).
 */
export async function cleanupBySize(db: Db, maxBytes: number): Promise<NonNullable<CleanupResult['bySize']>> {
  const client = await db.connect();
  try {
    const sizes = await Promise.all(SIZED_TABLES.map(async (t) => ({ table: t, ...(await liveBytes(client, t)) })));
    const total = sizes.reduce((a, s) => a + s.bytes, 0);
    const deleted = { spans: 0, profiles: 0, bytesBefore: Math.round(total) };
    if (total <= maxBytes) return deleted;
    const share = 1 - (0.8 * maxBytes) / total;
    for (const s of sizes) {
      const n = Math.floor(share * s.rows);
      if (n <= 0) continue;
      // The received_at below which lie the oldest n rows (an index walk of n entries).
      const cut = await client.query<{ at: Date }>(`SELECT received_at AS at FROM ${s.table} ORDER BY received_at OFFSET $1 LIMIT 1`, [n]);
      const r = cut.rows[0] ? await client.query(`DELETE FROM ${s.table} WHERE received_at < $1`, [cut.rows[0].at]) : await client.query(`DELETE FROM ${s.table}`);
      if (s.table === 'embedded_span') deleted.spans = r.rowCount ?? 0;
      else deleted.profiles = r.rowCount ?? 0;
    }
    return deleted;
  } finally {
    client.release();
  }
}

/**
 * Deletes spans and profiles received more than `retentionMs` ago, then the
 * stacks no kept profile can use. A stack's last_seen is refreshed at least
 * every stackRefreshMs(retention) while pushes use it, so a stack idle for
 * retention + that refresh interval belongs only to deleted profiles.
 */
export async function cleanupEmbedded(db: Db, opts: { retentionMs: number; maxBytes?: number; now?: number }): Promise<CleanupResult> {
  const now = opts.now ?? Date.now();
  const cutoff = new Date(now - opts.retentionMs).toISOString();
  // Whichever is longer: the refresh this retention implies or the one pushes in this process use.
  const refresh = Math.max(stackRefreshMs(opts.retentionMs), currentStackRefreshMs());
  const stackCutoff = new Date(now - opts.retentionMs - refresh).toISOString();
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const spans = await client.query('DELETE FROM embedded_span WHERE received_at < $1', [cutoff]);
    const profiles = await client.query('DELETE FROM embedded_profile WHERE received_at < $1', [cutoff]);
    const stacks = await client.query('DELETE FROM embedded_profile_stack WHERE last_seen < $1', [stackCutoff]);
    await client.query('COMMIT');
    if (stacks.rowCount) forgetKnownStacks(db);
    const result: CleanupResult = { spans: spans.rowCount ?? 0, profiles: profiles.rowCount ?? 0, stacks: stacks.rowCount ?? 0 };
    if (opts.maxBytes) {
      const bySize = await cleanupBySize(db, opts.maxBytes);
      result.bySize = bySize;
      result.spans += bySize.spans;
      result.profiles += bySize.profiles;
    }
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/**
 * Runs cleanupEmbedded now and then every `intervalMs` (default: a tenth of the
 * retention, at most 10 minutes) until stop() is called. The timer does not
 * keep the process alive. Errors go to `onError` and the next run tries again.
 */
export function startRetention(
  db: Db,
  opts: { retentionMs: number; maxBytes?: number; intervalMs?: number; onResult?: (r: CleanupResult) => void; onError?: (e: unknown) => void },
): { stop(): void; runOnce(): Promise<CleanupResult | undefined> } {
  setStackRefreshMs(stackRefreshMs(opts.retentionMs));
  // A size bound is checked every minute: heavy ingest fills gigabytes well within a tenth of a day.
  const intervalMs = opts.intervalMs ?? Math.max(1_000, Math.min(opts.retentionMs / 10, opts.maxBytes ? 60_000 : 600_000));
  let running: Promise<CleanupResult | undefined> | undefined;
  const runOnce = () => {
    // One cleanup at a time: a slow one is not stacked on by the next tick.
    running ??= cleanupEmbedded(db, { retentionMs: opts.retentionMs, maxBytes: opts.maxBytes })
      .then((r) => {
        opts.onResult?.(r);
        return r;
      })
      .catch((e) => {
        opts.onError?.(e);
        return undefined;
      })
      .finally(() => (running = undefined));
    return running;
  };
  void runOnce();
  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
