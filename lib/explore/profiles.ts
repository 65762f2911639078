// Explore's Profiles panel reads, from Pyroscope or the embedded store: the
// selectors (profile types, label names and values, from the source's own
// APIs), a flame graph of a selection, a diff against another range or label
// set, one span's own profile (Grafana's traces-to-profiles), and "slow vs
// fast": the merged profile of the slowest requests' spans diffed against the
// fastest ones' in the same window.
import { spanProfileIds, spanWindow } from '@/lib/correlate';
import { profileSource, traceSource } from '@/lib/datasources';
import { diffModels, emptyModel, grandTotal, type FlameModel } from '@/lib/model/flame';
import { mapLimited } from '@/lib/map-limited';
import type { ProfileType, Span, TimeRange, Trace } from '@/lib/model/types';
import { NotFound } from '@/lib/api-errors';
import { pickProfileType, profileSourceLabel, profileSpanIds, serviceSelector, traceSourceLabel, type SourceLabel } from '@/lib/runs/views';
import { pickSlowFast, type RankedRequest } from './slow-fast';

type Signal = { signal?: AbortSignal };

export async function profileTypes(q: { from: number; to: number }, opts: Signal = {}): Promise<{ source: SourceLabel; types: ProfileType[] }> {
  const src = profileSource();
  return { source: profileSourceLabel(src.backend), types: await src.profileTypes({ from: q.from, to: q.to }, opts) };
}

const matchersOf = (selector: string) => (selector.trim() && selector.trim() !== '{}' ? [selector] : []);

export async function labelNames(q: { selector: string; from: number; to: number }, opts: Signal = {}): Promise<{ source: SourceLabel; names: string[] }> {
  const src = profileSource();
  return { source: profileSourceLabel(src.backend), names: await src.labelNames({ matchers: matchersOf(q.selector), range: { from: q.from, to: q.to }, ...opts }) };
}

export async function labelValues(q: { name: string; selector: string; from: number; to: number }, opts: Signal = {}): Promise<{ source: SourceLabel; values: string[] }> {
  const src = profileSource();
  return { source: profileSourceLabel(src.backend), values: await src.labelValues(q.name, { matchers: matchersOf(q.selector), range: { from: q.from, to: q.to }, ...opts }) };
}

/** The asked profile type, or the range's CPU type (else wall, else any); null when nothing is stored. */
async function resolveType(type: string | undefined, range: TimeRange, opts: Signal): Promise<ProfileType | null> {
  const types = await profileSource().profileTypes(range, opts);
  if (type) {
    const [name = '', sampleType = '', sampleUnit = '', periodType = '', periodUnit = ''] = type.split(':');
    return types.find((t) => t.id === type) ?? { id: type, name, sampleType, sampleUnit, periodType, periodUnit };
  }
  return pickProfileType(types);
}

export interface FlameAnswer {
  source: SourceLabel;
  profileType: ProfileType | null;
  /** the flat flame model (lib/model/flame); null when nothing was stored */
  flame: FlameModel | null;
}

export async function flame(q: { type?: string; selector: string; from: number; to: number; maxNodes: number }, opts: Signal = {}): Promise<FlameAnswer> {
  const src = profileSource();
  const range = { from: q.from, to: q.to };
  const type = await resolveType(q.type, range, opts);
  const base = { source: profileSourceLabel(src.backend), profileType: type };
  if (!type) return { ...base, flame: null };
  const r = await src.selectMergeStacktraces({ profileTypeId: type.id, labelSelector: q.selector, range }, { maxNodes: q.maxNodes, ...opts });
  return { ...base, flame: grandTotal(r.flame) > 0 ? r.flame : null };
}

export interface DiffAnswer {
  source: SourceLabel;
  profileType: ProfileType | null;
  /** a diff model: `value` the baseline, `right` the selection */
  diff: FlameModel | null;
  leftTicks: number;
  rightTicks: number;
  baseline: { selector: string; from: number; to: number };
}

export async function diff(
  q: { type?: string; selector: string; from: number; to: number; baseSelector?: string; baseFrom?: number; baseTo?: number; maxNodes: number },
  opts: Signal = {},
): Promise<DiffAnswer> {
  const src = profileSource();
  const range = { from: q.from, to: q.to };
  const baseline = { selector: q.baseSelector ?? q.selector, from: q.baseFrom ?? q.from, to: q.baseTo ?? q.to };
  const type = await resolveType(q.type, range, opts);
  const base = { source: profileSourceLabel(src.backend), profileType: type, baseline };
  if (!type) return { ...base, diff: null, leftTicks: 0, rightTicks: 0 };
  const d = await src.diff(
    { profileTypeId: type.id, labelSelector: baseline.selector, range: { from: baseline.from, to: baseline.to } },
    { profileTypeId: type.id, labelSelector: q.selector, range },
    { maxNodes: q.maxNodes, ...opts },
  );
  return { ...base, diff: d.leftTicks + d.rightTicks > 0 ? d.flame : null, leftTicks: d.leftTicks, rightTicks: d.rightTicks };
}

export interface SpanProfileAnswer {
  source: SourceLabel;
  traceSource: SourceLabel;
  service: string;
  spanName: string;
  /** the span and its same-service descendants */
  spanIds: string[];
  /** batch spans its work shared (their CPU is split with other requests) */
  batchSpanIds: string[];
  window: TimeRange;
  profileType: ProfileType | null;
  flame: FlameModel | null;
}

/** The span's own CPU profile: samples labelled with its id, its same-service descendants' and its batch spans'. */
export async function spanProfile(q: { trace: string; span: string; from: number; to: number; maxNodes: number }, opts: Signal = {}): Promise<SpanProfileAnswer> {
  const traces = traceSource();
  const t = await traces.traceById(q.trace, { range: { from: q.from, to: q.to }, ...opts });
  if (!t) throw new NotFound(`trace ${q.trace} is not stored in that time range (sampled out, or not received yet)`);
  const span = t.spans.find((s) => s.spanId === q.span);
  if (!span) throw new NotFound(`span ${q.span} is not in trace ${q.trace}`);
  const { ids, shared } = profileSpanIds(t, spanProfileIds(t, q.span));
  const window = spanWindow(span);
  const src = profileSource();
  const type = await resolveType(undefined, window, opts);
  const base = { source: profileSourceLabel(src.backend), traceSource: traceSourceLabel(traces.backend), service: span.service, spanName: span.name, spanIds: ids.filter((i) => !shared.includes(i)), batchSpanIds: shared, window, profileType: type };
  if (!type) return { ...base, flame: null };
  const r = await src.spanProfile({ profileTypeId: type.id, labelSelector: serviceSelector(span.service), range: window }, ids, { maxNodes: q.maxNodes, ...opts });
  return { ...base, flame: grandTotal(r.flame) > 0 ? r.flame : null };
}

export interface SlowFastSide {
  requests: RankedRequest[];
  /** span ids whose samples were merged */
  spanIds: number;
  /** total of the merged profile, in the profile's unit */
  total: number;
}

export interface SlowFastAnswer {
  source: SourceLabel;
  traceSource: SourceLabel;
  query: string;
  /** matching traces ranked (the most recent `pool` of them) */
  ranked: number;
  service: string | null;
  profileType: ProfileType | null;
  slow: SlowFastSide;
  fast: SlowFastSide;
  /** a diff model: `value` the fast requests (baseline), `right` the slow ones */
  diff: FlameModel | null;
  note?: string;
}

function mostCommon(xs: readonly string[]): string | null {
  const n = new Map<string, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** Trace fetches in flight at once. */
const FETCH_CONCURRENCY = 6;

/**
 * "Compare slow with fast": rank the spans `q` matches in the range by
 * duration (among the most recent `pool` matching traces), take the slowest
 * and fastest `n`, and diff the merged CPU profile of the fast ones' spans
 * (each with its same-service descendants) against the slow ones'.
 */
export async function slowVsFast(q: { q: string; from: number; to: number; n: number; pool: number; maxNodes: number }, opts: Signal = {}): Promise<SlowFastAnswer> {
  const traces = traceSource();
  const profiles = profileSource();
  const range = { from: q.from, to: q.to };
  const found = await traces.search({ q: q.q, range, limit: q.pool, spss: 1 }, opts);
  const { slow, fast } = pickSlowFast(found.traces, q.n);
  const base = { source: profileSourceLabel(profiles.backend), traceSource: traceSourceLabel(traces.backend), query: q.q, ranked: found.traces.length };
  const emptySide = (requests: RankedRequest[]): SlowFastSide => ({ requests, spanIds: 0, total: 0 });
  if (slow.length === 0 || fast.length === 0) {
    return { ...base, service: null, profileType: null, slow: emptySide(slow), fast: emptySide(fast), diff: null, note: `Needs at least 2 matching requests in the range; found ${found.traces.length}.` };
  }
  const sideIds = async (side: RankedRequest[]): Promise<{ ids: string[]; window: TimeRange; services: string[] }> => {
    const fetched = await mapLimited(side, FETCH_CONCURRENCY, (r) => traces.traceById(r.traceId, { range, ...opts }));
    const ids = new Set<string>();
    const services: string[] = [];
    let from = Infinity;
    let to = -Infinity;
    fetched.forEach((t: Trace | null, i) => {
      const span = t && (side[i].spanId ? t.spans.find((s: Span) => s.spanId === side[i].spanId) : (t.spans.find((s) => !s.parentSpanId) ?? t.spans[0]));
      if (!t || !span) return;
      services.push(span.service);
      for (const id of profileSpanIds(t, spanProfileIds(t, span.spanId)).ids) ids.add(id);
      const w = spanWindow(span);
      from = Math.min(from, w.from);
      to = Math.max(to, w.to);
    });
    return { ids: [...ids], window: Number.isFinite(from) ? { from, to } : range, services };
  };
  const [s, f] = await Promise.all([sideIds(slow), sideIds(fast)]);
  // The service whose profiles hold these spans: the one most of them belong to.
  const service = mostCommon([...s.services, ...f.services]);
  if (!service) return { ...base, service: null, profileType: null, slow: emptySide(slow), fast: emptySide(fast), diff: null, note: 'None of these traces could be read back from the trace store.' };
  const type = await resolveType(undefined, range, opts);
  if (!type) return { ...base, service, profileType: null, slow: emptySide(slow), fast: emptySide(fast), diff: null, note: 'No profiles are stored for this range.' };
  const sel = (w: TimeRange) => ({ profileTypeId: type.id, labelSelector: serviceSelector(service), range: w });
  const [ps, pf] = await Promise.all([
    s.ids.length ? profiles.spanProfile(sel(s.window), s.ids, { maxNodes: q.maxNodes, ...opts }) : null,
    f.ids.length ? profiles.spanProfile(sel(f.window), f.ids, { maxNodes: q.maxNodes, ...opts }) : null,
  ]);
  const slowModel = ps?.flame ?? emptyModel();
  const fastModel = pf?.flame ?? emptyModel();
  const diffTree = grandTotal(slowModel) + grandTotal(fastModel) > 0 ? diffModels(fastModel, slowModel) : null;
  return {
    ...base,
    service,
    profileType: type,
    slow: { requests: slow, spanIds: s.ids.length, total: grandTotal(slowModel) },
    fast: { requests: fast, spanIds: f.ids.length, total: grandTotal(fastModel) },
    diff: diffTree,
    note: diffTree ? undefined : 'None of these requests’ spans carry CPU samples (are the service’s profiles labelled with span ids?).',
  };
}
