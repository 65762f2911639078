// Embedded-store reads a caller can cancel. For a remote backend an abort
// closes the HTTP call; for Postgres it has to reach the server: the query runs
// on its own pooled connection and, on abort, Postgres is asked to cancel that
// backend (pg_cancel_backend, allowed on one's own role's sessions), so a heavy
// flame-graph merge stops instead of running on for nobody.
import type pg from 'pg';

export type Queryable = Pick<pg.Pool | pg.PoolClient | pg.Client, 'query'>;
type Pool = Pick<pg.Pool, 'query' | 'connect'>;

const isPool = (db: Queryable): db is Pool & Queryable => typeof (db as Partial<Pool>).connect === 'function' && !('release' in db);

/** What an aborted fetch throws: the signal's reason, or an AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * `db.query(text, params)`, cancelled in Postgres when `signal` aborts (then
 * the abort reason is thrown). Without a signal, or on a connection others
 * share (a client inside a transaction), it is a plain query that is checked
 * for an abort when it returns.
 */
export async function cancellableQuery<R extends pg.QueryResultRow>(db: Queryable, text: string, params: unknown[], signal?: AbortSignal): Promise<pg.QueryResult<R>> {
  if (!signal) return db.query<R>(text, params);
  if (signal.aborted) throw abortReason(signal);
  if (!isPool(db)) {
    const r = await db.query<R>(text, params);
    if (signal.aborted) throw abortReason(signal);
    return r;
  }
  const client = await db.connect();
  const pid = (client as unknown as { processID?: number }).processID;
  let cancelSent = false;
  const onAbort = () => {
    cancelSent = true;
    if (pid) db.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {});
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal.aborted) throw abortReason(signal);
    return await client.query<R>(text, params);
  } catch (e) {
    if (signal.aborted) throw abortReason(signal);
    throw e;
  } finally {
    signal.removeEventListener('abort', onAbort);
    // A cancel may land after the query ended: never hand that connection to the next user.
    client.release(cancelSent ? true : undefined);
  }
}
