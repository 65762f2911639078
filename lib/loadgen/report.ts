// The load report in the shape of vLLM's benchmark_serving: pure functions over the
// per-request samples the client measured. Definitions (matching benchmark_serving):
//   TTFT  request start → first streamed chunk with output
//   E2E   request start → end of stream
//   TPOT  (E2E − TTFT) / (output tokens − 1), per request, only for requests with > 1 output token
//   ITL   every gap between consecutive output chunks, pooled over all requests
//   goodput  completed requests meeting every given SLO target, per second of run
// Percentiles interpolate linearly between closest ranks (numpy's default).
import type { SloTargets } from './params';
import { mulberry32 } from './prompt';

/** What the client measured for one request. Times are ms; `startMs` is unix ms. */
export interface RequestSample {
  index: number;
  priority: 'P0' | 'P1';
  /** 32 lower-case hex: the trace id sent in `traceparent` */
  traceId: string;
  startMs: number;
  ok: boolean;
  /** status code or a short reason, for failed requests */
  error?: string;
  ttftMs: number | null;
  e2eMs: number;
  /** gaps between consecutive output chunks (emptied once folded into an ItlPool) */
  itlMs: number[];
  promptTokens: number;
  outputTokens: number;
}

export interface Stat {
  mean: number;
  median: number;
  p99: number;
}

export interface BenchmarkReport {
  completed: number;
  failed: number;
  durationS: number;
  totalInputTokens: number;
  totalOutputTokens: number;
  /** req/s */
  requestThroughput: number;
  /** tok/s */
  inputThroughput: number;
  outputThroughput: number;
  totalTokenThroughput: number;
  /** ms; null when no request produced that measure */
  ttftMs: Stat | null;
  tpotMs: Stat | null;
  itlMs: Stat | null;
  e2eMs: Stat | null;
  slo: SloTargets;
  /** req/s of completed requests meeting every SLO target; null when no target was given */
  goodput: number | null;
  /** share of completed requests meeting every SLO target */
  goodputRatio: number | null;
}

/** Linear interpolation between closest ranks on sorted values; p in [0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function stat(values: readonly number[]): Stat | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const v of sorted) sum += v;
  return { mean: sum / sorted.length, median: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** TPOT of one request, or null when it streamed fewer than two tokens. */
export function tpotMs(s: Pick<RequestSample, 'ttftMs' | 'e2eMs' | 'outputTokens'>): number | null {
  if (s.ttftMs === null || s.outputTokens < 2) return null;
  return (s.e2eMs - s.ttftMs) / (s.outputTokens - 1);
}

/** Whether a completed request meets every given target (a request with < 2 tokens has TPOT 0). */
export function meetsSlo(s: RequestSample, slo: SloTargets): boolean {
  if (slo.ttftMs !== undefined && (s.ttftMs === null || s.ttftMs > slo.ttftMs)) return false;
  if (slo.tpotMs !== undefined && (tpotMs(s) ?? 0) > slo.tpotMs) return false;
  if (slo.e2eMs !== undefined && s.e2eMs > slo.e2eMs) return false;
  return true;
}

export function hasSlo(slo: SloTargets): boolean {
  return slo.ttftMs !== undefined || slo.tpotMs !== undefined || slo.e2eMs !== undefined;
}

/**
 * Every inter-token gap of a run, pooled. A long run against a fast server can stream
 * millions of tokens, so past `capacity` gaps the pool keeps a uniform random sample
 * (reservoir sampling, seeded) for the median and p99; count and mean stay exact.
 */
export class ItlPool {
  count = 0;
  private sum = 0;
  private readonly values: number[] = [];
  private readonly rng: () => number;

  constructor(
    private readonly capacity = 500_000,
    seed = 1,
  ) {
    this.rng = mulberry32(seed);
  }

  add(v: number): void {
    this.count++;
    this.sum += v;
    if (this.values.length < this.capacity) this.values.push(v);
    else {
      const j = Math.floor(this.rng() * this.count);
      if (j < this.capacity) this.values[j] = v;
    }
  }

  stat(): Stat | null {
    const s = stat(this.values);
    return s && { ...s, mean: this.sum / this.count };
  }
}

/**
 * The report over a run's samples; `durationS` is the run's wall-clock time. ITL comes
 * from `itl` when the caller pooled the gaps as requests finished, else from the samples.
 */
export function buildReport(samples: readonly RequestSample[], durationS: number, slo: SloTargets = {}, itlPool?: ItlPool): BenchmarkReport {
  const ok = samples.filter((s) => s.ok);
  const rate = (n: number) => (durationS > 0 ? n / durationS : 0);
  let inTok = 0;
  let outTok = 0;
  const ttft: number[] = [];
  const tpot: number[] = [];
  const itl = itlPool ?? new ItlPool(Infinity);
  const e2e: number[] = [];
  let good = 0;
  for (const s of ok) {
    inTok += s.promptTokens;
    outTok += s.outputTokens;
    if (s.ttftMs !== null) ttft.push(s.ttftMs);
    const t = tpotMs(s);
    if (t !== null) tpot.push(t);
    if (!itlPool) for (const g of s.itlMs) itl.add(g);
    e2e.push(s.e2eMs);
    if (meetsSlo(s, slo)) good++;
  }
  const withSlo = hasSlo(slo);
  return {
    completed: ok.length,
    failed: samples.length - ok.length,
    durationS,
    totalInputTokens: inTok,
    totalOutputTokens: outTok,
    requestThroughput: rate(ok.length),
    inputThroughput: rate(inTok),
    outputThroughput: rate(outTok),
    totalTokenThroughput: rate(inTok + outTok),
    ttftMs: stat(ttft),
    tpotMs: stat(tpot),
    itlMs: itl.stat(),
    e2eMs: stat(e2e),
    slo,
    goodput: withSlo ? rate(good) : null,
    goodputRatio: withSlo ? (ok.length ? good / ok.length : 0) : null,
  };
}

/** The report as benchmark_serving prints it: fixed-width label, value. */
export function formatReport(r: BenchmarkReport, title = 'Serving Benchmark Result'): string {
  const W = 50;
  const line = (label: string, v: number | string) => `${label.padEnd(40)} ${typeof v === 'number' ? fmt(v) : v}`;
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  const head = (t: string) => ` ${t} `.padStart((W + t.length + 2) / 2, '-').padEnd(W, '-');
  const out = [` ${title} `.padStart((W + title.length + 2) / 2, '=').padEnd(W, '=')];
  out.push(line('Successful requests:', r.completed), line('Failed requests:', r.failed));
  out.push(line('Benchmark duration (s):', r.durationS));
  out.push(line('Total input tokens:', r.totalInputTokens), line('Total generated tokens:', r.totalOutputTokens));
  out.push(line('Request throughput (req/s):', r.requestThroughput));
  if (r.goodput !== null) out.push(line('Request goodput (req/s):', r.goodput));
  out.push(line('Output token throughput (tok/s):', r.outputThroughput));
  out.push(line('Total token throughput (tok/s):', r.totalTokenThroughput));
  const block = (t: string, short: string, s: Stat | null) => {
    out.push(head(t));
    out.push(line(`Mean ${short} (ms):`, s ? s.mean : '-'), line(`Median ${short} (ms):`, s ? s.median : '-'), line(`P99 ${short} (ms):`, s ? s.p99 : '-'));
  };
  block('Time to First Token', 'TTFT', r.ttftMs);
  block('Time per Output Token (excl. 1st token)', 'TPOT', r.tpotMs);
  block('Inter-token Latency', 'ITL', r.itlMs);
  block('End-to-end Latency', 'E2EL', r.e2eMs);
  out.push('='.repeat(W));
  return out.join('\n');
}

/** Live figures while a run goes on. */
export interface LiveStats {
  done: number;
  failed: number;
  inFlight: number;
  total: number;
  elapsedS: number;
  /** E2E of completed requests so far, ms */
  p50Ms: number | null;
  p99Ms: number | null;
  /** output tokens per second since the start */
  tokensPerS: number;
}

export function liveStats(e2eSorted: readonly number[], counts: { done: number; failed: number; inFlight: number; total: number; outputTokens: number }, elapsedS: number): LiveStats {
  const { outputTokens, ...rest } = counts;
  return {
    ...rest,
    elapsedS,
    p50Ms: e2eSorted.length ? percentile(e2eSorted, 50) : null,
    p99Ms: e2eSorted.length ? percentile(e2eSorted, 99) : null,
    tokensPerS: elapsedS > 0 ? outputTokens / elapsedS : 0,
  };
}
