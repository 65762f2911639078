// Retention for the embedded stores (EMBEDDED_RETENTION, default 24h), so the
// database does not grow without bound. Age is counted from when the app
// received the data, so a client with a skewed clock cannot keep data forever.
import type pg from 'pg';
import { currentStackRefreshMs, forgetKnownStacks, setStackRefreshMs, stackRefreshMs } from './profile-ingest';

type Db = Pick<pg.Pool, 'query' | 'connect'>;

export interface CleanupResult {
  spans: number;
  profiles: number;
  stacks: number;
}

/**
 * Deletes spans and profiles received more than `retentionMs` ago, then the
 * stacks no kept profile can use. A stack's last_seen is refreshed at least
 * every stackRefreshMs(retention) while pushes use it, so a stack idle for
 * retention + that refresh interval belongs only to deleted profiles.
 */
export async function cleanupEmbedded(db: Db, opts: { retentionMs: number; now?: number }): Promise<CleanupResult> {
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
    return { spans: spans.rowCount ?? 0, profiles: profiles.rowCount ?? 0, stacks: stacks.rowCount ?? 0 };
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
  opts: { retentionMs: number; intervalMs?: number; onResult?: (r: CleanupResult) => void; onError?: (e: unknown) => void },
): { stop(): void; runOnce(): Promise<CleanupResult | undefined> } {
  setStackRefreshMs(stackRefreshMs(opts.retentionMs));
  const intervalMs = opts.intervalMs ?? Math.max(1_000, Math.min(opts.retentionMs / 10, 600_000));
  let running: Promise<CleanupResult | undefined> | undefined;
  const runOnce = () => {
    // One cleanup at a time: a slow one is not stacked on by the next tick.
    running ??= cleanupEmbedded(db, { retentionMs: opts.retentionMs })
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
