// Explore's quality panel: the model-side signals (prompt entropy, output
// perplexity and its window std, KV-cache reuse) of one service's request
// spans over the range, each against the span's duration (E2E latency). One
// bounded trace search reads them: the spans come back with their attributes,
// so no per-trace lookups. The maths is the run page's (lib/runs/quality).
import { traceSource } from '@/lib/datasources';
import type { TraceSummary } from '@/lib/model/types';
import { traceSourceLabel, type SourceLabel } from '@/lib/runs/views';
import { MAX_QUALITY_REQUESTS, QUALITY_ENTROPY_ATTRIBUTE, QUALITY_SIGNAL_INFO, QUALITY_SIGNALS, qualityOf, summarizeSignal, type QualityRequest, type SignalSummary } from '@/lib/runs/quality';
import { defaultTraceQL } from './url-state';

type Signal = { signal?: AbortSignal };

/** Every span attribute a quality signal is read from. */
export const QUALITY_ATTRIBUTES = [...new Set(QUALITY_SIGNALS.flatMap((s) => QUALITY_SIGNAL_INFO[s].attributes))];

/**
 * The search for a service's request spans. Tempo's search returns only the
 * attributes a query names, so it asks for them with `select(…)`; the embedded
 * store returns every matched span's attributes (and runs no pipelines).
 */
export function qualitySearchQuery(svc: string, backend: 'tempo' | 'embedded'): string {
  const base = defaultTraceQL(svc);
  return backend === 'tempo' ? `${base} | select(${QUALITY_ATTRIBUTES.map((a) => `span.${a}`).join(', ')})` : base;
}

/** Spans per trace the search returns: a proxy in front may add a server span before the sandbox's. */
export const QUALITY_SPSS = 3;

/**
 * One request per trace: the matched server span that carries the signals
 * (else the first), its duration as E2E latency. Traces without a matched span
 * are left out. Explore does not know a request's prompt kind (the run page
 * derives it from the run's seed).
 */
export function qualityRequestsOf(traces: readonly TraceSummary[]): QualityRequest[] {
  const out: QualityRequest[] = [];
  for (const t of traces) {
    const s = t.spans?.find((x) => QUALITY_ENTROPY_ATTRIBUTE in x.attributes) ?? t.spans?.[0];
    if (!s) continue;
    out.push({ traceId: t.traceId, e2eMs: Number(s.durationNanos) / 1e6, kind: null, values: qualityOf(s.attributes) });
  }
  return out;
}

export interface ExploreQualityAnswer {
  source: SourceLabel;
  /** the TraceQL search that read the spans */
  query: string;
  /** request spans read (the most recent first, at most `limit`) and how many carry a signal */
  requests: { read: number; withSignals: number; limit: number };
  /** empty when no span carries a quality attribute */
  signals: SignalSummary[];
  /** why the panel is empty, or that the read was capped */
  note?: string;
}

/** What the numbers mean for the reader, or nothing when every request of the range was read and some carry signals. */
export function exploreQualityNote(svc: string, read: number, withSignals: number, limit: number): string | undefined {
  const who = svc ? JSON.stringify(svc) : 'any service';
  if (read === 0) return `No request (server) span of ${who} in this range: widen the range or pick another service.`;
  if (withSignals === 0) {
    return `The request spans of ${who} carry no quality attributes (${QUALITY_ATTRIBUTES.slice(0, 3).join(', ')}, …). The bundled sandbox records them: pick its service, or fire a load run against it.`;
  }
  if (read >= limit) return `The ${limit} most recent request spans of the range were read; narrow the range to see earlier ones.`;
  return undefined;
}

/** The quality panel of Explore: at most MAX_QUALITY_REQUESTS request spans of `svc` in the range, cancelled with the request. */
export async function exploreQuality(q: { svc: string; from: number; to: number }, opts: Signal = {}): Promise<ExploreQualityAnswer> {
  const src = traceSource();
  const query = qualitySearchQuery(q.svc, src.backend);
  const limit = MAX_QUALITY_REQUESTS;
  const r = await src.search({ q: query, range: { from: q.from, to: q.to }, limit, spss: QUALITY_SPSS }, opts);
  const requests = qualityRequestsOf(r.traces);
  const withSignals = requests.filter((x) => Object.keys(x.values).length > 0).length;
  const note = exploreQualityNote(q.svc, requests.length, withSignals, limit);
  return {
    source: traceSourceLabel(src.backend),
    query,
    requests: { read: requests.length, withSignals, limit },
    signals: withSignals ? QUALITY_SIGNALS.map((sig) => summarizeSignal(sig, requests)) : [],
    ...(note ? { note } : {}),
  };
}
