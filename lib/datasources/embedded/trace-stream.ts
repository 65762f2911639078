// GET /api/traces/:id from the embedded store as a stream: the trace's spans
// are read through a server-side cursor a few hundred at a time and written
// out as JSON as they come, so the response never exists whole in memory
// (TRACE_MAX_SPANS bounds how long it can get). Same body as the non-streamed
// route: { source, trace: { traceId, spans: [...] } }, bigints as strings.
import type pg from 'pg';
import type { TimeRange } from '@/lib/model/types';
import { rowToSpan, SPAN_COLUMNS, traceWhere, type SpanRow } from './spans';
import { refuseLargeTrace } from './trace-limits';

const FETCH_ROWS = 500;
const bigintsToStrings = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/**
 * The trace as a JSON byte stream, or null when none of its spans is stored.
 * Throws TraceTooLarge (422) before anything is sent when it has more than
 * `maxSpans` spans. The cursor's connection is released when the stream ends,
 * fails, or the client goes away.
 */
export async function streamTraceJson(db: pg.Pool, id: string, opts: { range?: TimeRange; maxSpans: number; source: string }): Promise<ReadableStream<Uint8Array> | null> {
  const { traceId, where, params } = traceWhere(id, opts.range);
  await refuseLargeTrace(db, traceId, where, params, opts.maxSpans);
  const client = await db.connect();
  let released = false;
  const release = async (commit: boolean) => {
    if (released) return;
    released = true;
    await client.query(commit ? 'COMMIT' : 'ROLLBACK').catch(() => {});
    client.release();
  };
  try {
    await client.query('BEGIN READ ONLY');
    // LIMIT: spans that arrive after the count never make the response longer than the limit.
    await client.query(`DECLARE trace_spans NO SCROLL CURSOR FOR SELECT ${SPAN_COLUMNS} FROM embedded_span WHERE ${where} ORDER BY start_ns, span_id LIMIT ${Math.trunc(opts.maxSpans)}`, params);
    const first = await client.query<SpanRow>(`FETCH ${FETCH_ROWS} FROM trace_spans`);
    if (first.rows.length === 0) {
      await release(true);
      return null;
    }
    const enc = new TextEncoder();
    let pending: SpanRow[] | null = first.rows;
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(enc.encode(`{"source":${JSON.stringify(opts.source)},"trace":{"traceId":${JSON.stringify(traceId)},"spans":[`));
      },
      async pull(controller) {
        try {
          const rows = pending ?? (await client.query<SpanRow>(`FETCH ${FETCH_ROWS} FROM trace_spans`)).rows;
          pending = null;
          if (rows.length === 0) {
            controller.enqueue(enc.encode(']}}'));
            controller.close();
            await release(true);
            return;
          }
          const parts = rows.map((r) => JSON.stringify(rowToSpan(r), bigintsToStrings));
          controller.enqueue(enc.encode((sent ? ',' : '') + parts.join(',')));
          sent += rows.length;
        } catch (e) {
          controller.error(e);
          await release(false);
        }
      },
      async cancel() {
        await release(false);
      },
    });
  } catch (e) {
    await release(false);
    throw e;
  }
}
