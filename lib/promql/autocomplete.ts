// Server side of the PromQL editor's autocompletion. codemirror-promql's
// HTTPPrometheusClient speaks the Prometheus HTTP API; the editor points it at
// /api/promql/*, and these functions answer from the Prometheus of the server's
// config (PROMETHEUS_URL) — the browser never names a backend. Answers keep the
// Prometheus envelope ({status, data} / {status, errorType, error}) because that
// is what the client parses.
import { z } from 'zod';
import { config } from '@/lib/config';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { BackendError, type TimeRange } from '@/lib/model/types';

/** The editor looks back 12 h by default; a wider window only makes Prometheus work harder. */
const MAX_LOOKBACK_MS = 7 * 86_400_000;

/** RFC 3339 or unix seconds, as the Prometheus API accepts. */
const Timestamp = z
  .string()
  .max(40)
  .transform((v, ctx) => {
    const ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: `not a time: ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return ms;
  });

export const CompletionParams = z
  .object({
    /** at most a few selectors, each a short one: the editor sends one */
    match: z.array(z.string().min(1).max(1000)).max(5).default([]),
    start: Timestamp.optional(),
    end: Timestamp.optional(),
  })
  .transform(({ match, start, end }) => {
    const to = end ?? Date.now();
    const from = Math.max(start ?? to - 12 * 3_600_000, to - MAX_LOOKBACK_MS);
    return { match, range: { from: Math.min(from, to), to } satisfies TimeRange };
  });
export type CompletionParams = z.output<typeof CompletionParams>;

export const LabelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'not a label name');

export function completionParams(url: string) {
  const q = new URL(url).searchParams;
  return CompletionParams.safeParse({ match: q.getAll('match[]'), start: q.get('start') ?? undefined, end: q.get('end') ?? undefined });
}

type Envelope = { status: 'success'; data: unknown } | { status: 'error'; errorType: string; error: string };

function envelope(body: Envelope, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

export function completionError(status: number, errorType: string, error: string): Response {
  return envelope({ status: 'error', errorType, error }, status);
}

/** The Prometheus to complete from, or the answer that says none is configured and how to get one. */
function client(): PrometheusClient | Response {
  if (!config().PROMETHEUS_URL) {
    return completionError(503, 'unavailable', 'No Prometheus is configured, so metric and label names cannot be completed: set PROMETHEUS_URL, or start Trisight with `npm start`, which runs one.');
  }
  return PrometheusClient.fromConfig();
}

/** Runs one read against the configured Prometheus and answers in its envelope. */
export async function complete(read: (c: PrometheusClient) => Promise<unknown>): Promise<Response> {
  const c = client();
  if (c instanceof Response) return c;
  try {
    return envelope({ status: 'success', data: await read(c) });
  } catch (e) {
    // Prometheus's 400 (bad_data: a malformed match[]) is the caller's mistake, not a failed upstream.
    if (e instanceof BackendError) return completionError(e.status === 400 || e.status === 504 ? e.status : 502, e.errorType ?? 'unavailable', `Prometheus: ${e.message}`);
    return completionError(500, 'internal', (e as Error).message);
  }
}
