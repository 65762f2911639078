// GET /api/traces/:id from the embedded store as a stream: the trace's spans
// are read through a server-side cursor a few hundred at a time and written
// out as JSON as they come, so the response never exists whole in memory.
// Same body as the non-streamed route: { source, trace: { traceId, spans,
// partial? } }, bigints as strings. A trace of more than `maxSpans` spans
// (TRACE_MAX_SPANS) is cut to its first ones by start time and marked
// partial, as getTrace and Tempo do.
import type pg from 'pg';
import type { Span, TimeRange } from '@/lib/model/types';
import { rowToSpan, SPAN_COLUMNS, traceWhere, type SpanRow } from './spans';

const FETCH_ROWS = 500;
const bigintsToStrings = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/**
 * The trace as a JSON byte stream, or null when none of its spans is stored.
 * The cursor's connection is released when the stream ends, fails, or the
 * client goes away.
 */
export async function streamTraceJson(
  db: pg.Pool,
  id: string,
  opts: { range?: TimeRange; maxSpans: number; source: string; /** applied to each span before it is written (withholding sensitive values) */ mapSpan?: (s: Span) => Span },
): Promise<ReadableStream<Uint8Array> | null> {
  const { traceId, where, params } = traceWhere(id, opts.range);
  const max = Math.max(1, Math.trunc(opts.maxSpans));
  const map = opts.mapSpan ?? ((s: Span) => s);
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
    // One row past the limit says whether the trace is longer.
    await client.query(`DECLARE trace_spans NO SCROLL CURSOR FOR SELECT ${SPAN_COLUMNS} FROM embedded_span WHERE ${where} ORDER BY start_ns, span_id LIMIT ${max + 1}`, params);
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
          let rows = pending ?? (await client.query<SpanRow>(`FETCH ${FETCH_ROWS} FROM trace_spans`)).rows;
          pending = null;
          const partial = sent + rows.length > max;
          if (partial) rows = rows.slice(0, max - sent);
          if (rows.length) {
            controller.enqueue(enc.encode((sent ? ',' : '') + rows.map((r) => JSON.stringify(map(rowToSpan(r)), bigintsToStrings)).join(',')));
            sent += rows.length;
          }
          if (partial || rows.length === 0) {
            controller.enqueue(enc.encode(partial ? '],"partial":true}}' : ']}}'));
            controller.close();
            await release(true);
          }
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
