// Per-request client-side measures in a compact, columnar form: what the latency
// histogram overlays next to the server's own histogram, and the trace id that
// links each client-side latency to its trace. 10,000 requests ≈ 0.7 MB of JSON.
// Inter-token gaps are not kept per request (they live in the report's ITL figures).
import { tpotMs, type RequestSample } from '@/lib/loadgen/report';

export interface SampleColumns {
  v: 1;
  /** unix ms the offsets count from (the run's first request) */
  t0: number;
  index: number[];
  priority: ('P0' | 'P1')[];
  /** 32 lower-case hex, as sent in `traceparent` */
  traceId: string[];
  startOffsetMs: number[];
  ok: boolean[];
  /** failure reason by position, only for failed requests */
  errors: Record<number, string>;
  ttftMs: (number | null)[];
  e2eMs: number[];
  tpotMs: (number | null)[];
  promptTokens: number[];
  outputTokens: number[];
}

const r2 = (v: number) => Math.round(v * 100) / 100;

export function toColumns(samples: readonly RequestSample[], t0: number): SampleColumns {
  const c: SampleColumns = {
    v: 1, t0, index: [], priority: [], traceId: [], startOffsetMs: [], ok: [], errors: {},
    ttftMs: [], e2eMs: [], tpotMs: [], promptTokens: [], outputTokens: [],
  };
  samples.forEach((s, i) => {
    c.index.push(s.index);
    c.priority.push(s.priority);
    c.traceId.push(s.traceId);
    c.startOffsetMs.push(r2(s.startMs - t0));
    c.ok.push(s.ok);
    if (s.error) c.errors[i] = s.error;
    c.ttftMs.push(s.ttftMs === null ? null : r2(s.ttftMs));
    c.e2eMs.push(r2(s.e2eMs));
    const t = s.ok ? tpotMs(s) : null;
    c.tpotMs.push(t === null ? null : r2(t));
    c.promptTokens.push(s.promptTokens);
    c.outputTokens.push(s.outputTokens);
  });
  return c;
}

/** One row per request, for tables and the trace links: the client's measures, with TPOT derived and ITL gaps left out. */
export type SampleRow = Omit<RequestSample, 'itlMs'> & { tpotMs: number | null };

export function fromColumns(c: SampleColumns): SampleRow[] {
  return c.index.map((index, i) => ({
    index,
    priority: c.priority[i],
    traceId: c.traceId[i],
    startMs: c.t0 + c.startOffsetMs[i],
    ok: c.ok[i],
    ...(c.errors[i] ? { error: c.errors[i] } : {}),
    ttftMs: c.ttftMs[i],
    e2eMs: c.e2eMs[i],
    tpotMs: c.tpotMs[i],
    promptTokens: c.promptTokens[i],
    outputTokens: c.outputTokens[i],
  }));
}

/** The n slowest requests by client-side E2E, failed ones first. */
export function slowest(rows: readonly SampleRow[], n: number): SampleRow[] {
  return [...rows].sort((a, b) => Number(a.ok) - Number(b.ok) || b.e2eMs - a.e2eMs).slice(0, n);
}
