// A run page's view as URL search parameters, so a reload or a shared link
// shows the same tab, bucket, trace, span, zoomed frames, searches and
// comparison. Pure: the page's hook (components/runs/useRunViewState) only
// reads and writes these through the browser's history.
import { formatBucketParam, parseBucketParam, type LatencyBucket } from '@/lib/correlate';
import { QUALITY_SIGNALS, type QualitySignal } from './quality';
import { LATENCY_METRICS, PROFILE_KINDS, type LatencyMetric, type ProfileKind } from './views';

export interface RunViewState {
  /** histogram tab */
  tab: LatencyMetric;
  bucket: LatencyBucket | null;
  trace: string | null;
  span: string | null;
  /** what the run's flame graph shows: CPU, GPU or memory */
  flame: ProfileKind;
  /** zoomed frame of the run's flame graph, as frame names below the root */
  zoom: string[];
  /** search in the run's flame graph */
  q: string;
  /** function picked in the top-functions table */
  fn: string | null;
  /** the run's flame graph as a flame graph, or as the sandwich of `fn` */
  fview: 'graph' | 'sandwich';
  /** the other run of a diff flame graph */
  compare: string | null;
  /** zoom and search in the span's own profile */
  szoom: string[];
  sq: string;
  /** the quality panel's signal tab */
  quality: QualitySignal;
  /** the bucket's trace list sorted by this quality signal (null: slowest first) */
  tsort: QualitySignal | null;
}

export const EMPTY_VIEW: RunViewState = { tab: 'e2e', bucket: null, trace: null, span: null, flame: 'cpu', zoom: [], q: '', fn: null, fview: 'graph', compare: null, szoom: [], sq: '', quality: 'entropy', tsort: null };

/** The parameters this view owns; anything else on the URL (the time range) is left alone. */
const KEYS = ['tab', 'bucket', 'trace', 'span', 'flame', 'zoom', 'q', 'fn', 'fview', 'compare', 'szoom', 'sq', 'quality', 'tsort'] as const;

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Frame names and searches come from a link: bounded, so a crafted URL cannot make the page do huge work. */
const MAX_TEXT = 500;
const MAX_DEPTH = 256;

interface ReadableParams {
  get(name: string): string | null;
  getAll(name: string): string[];
}

const text = (v: string | null) => (v ?? '').slice(0, MAX_TEXT);
const ifMatches = (v: string | null, re: RegExp) => {
  const s = v?.toLowerCase() ?? null;
  return s !== null && re.test(s) ? s : null;
};

/** The view a URL describes; values that do not parse are dropped, never guessed. */
export function readViewState(p: ReadableParams): RunViewState {
  const tab = p.get('tab');
  const flame = p.get('flame');
  const quality = p.get('quality');
  const tsort = p.get('tsort');
  return {
    tab: (LATENCY_METRICS as readonly string[]).includes(tab ?? '') ? (tab as LatencyMetric) : 'e2e',
    bucket: parseBucketParam(p.get('bucket')),
    trace: ifMatches(p.get('trace'), TRACE_ID),
    span: ifMatches(p.get('span'), SPAN_ID),
    flame: (PROFILE_KINDS as readonly string[]).includes(flame ?? '') ? (flame as ProfileKind) : 'cpu',
    zoom: p.getAll('zoom').slice(0, MAX_DEPTH).map(text),
    q: text(p.get('q')),
    fn: p.get('fn') === null ? null : text(p.get('fn')),
    fview: p.get('fview') === 'sandwich' ? 'sandwich' : 'graph',
    compare: ifMatches(p.get('compare'), RUN_ID),
    szoom: p.getAll('szoom').slice(0, MAX_DEPTH).map(text),
    sq: text(p.get('sq')),
    quality: (QUALITY_SIGNALS as readonly string[]).includes(quality ?? '') ? (quality as QualitySignal) : 'entropy',
    tsort: (QUALITY_SIGNALS as readonly string[]).includes(tsort ?? '') ? (tsort as QualitySignal) : null,
  };
}

/**
 * A change and what it invalidates: another tab's buckets are different, a
 * newly picked bucket lists other traces, a new trace has other spans, and each
 * profile's zoom path belongs to that profile.
 */
export function changeView(s: RunViewState, patch: Partial<RunViewState>): RunViewState {
  const next = { ...s, ...patch };
  const changed = (k: keyof RunViewState) => k in patch && JSON.stringify(patch[k]) !== JSON.stringify(s[k]);
  if (changed('tab') && !('bucket' in patch)) next.bucket = null;
  // A trace stays open across tabs (it is still one of the run's); a new bucket lists others.
  if (changed('bucket') && !('trace' in patch)) next.trace = null;
  if (next.trace !== s.trace && !('span' in patch)) next.span = null;
  if (next.span !== s.span || next.trace !== s.trace) {
    if (!('szoom' in patch)) next.szoom = [];
    if (!('sq' in patch)) next.sq = '';
  }
  if (changed('compare') && !('zoom' in patch)) next.zoom = [];
  // Another kind of profile has other frames: its zoom path and picked function do not apply.
  if (changed('flame')) {
    if (!('zoom' in patch)) next.zoom = [];
    if (!('fn' in patch)) next.fn = null;
    if (!('szoom' in patch)) next.szoom = [];
  }
  return next;
}

/** The URL's search string for a view: `base`'s other parameters kept, defaults left out so links stay short. */
export function writeViewState(base: URLSearchParams | string, s: RunViewState): URLSearchParams {
  const out = new URLSearchParams(base);
  for (const k of KEYS) out.delete(k);
  if (s.tab !== 'e2e') out.set('tab', s.tab);
  if (s.bucket) out.set('bucket', formatBucketParam(s.bucket));
  if (s.trace) out.set('trace', s.trace);
  if (s.span) out.set('span', s.span);
  if (s.flame !== 'cpu') out.set('flame', s.flame);
  for (const z of s.zoom) out.append('zoom', z);
  if (s.q) out.set('q', s.q);
  if (s.fn !== null) out.set('fn', s.fn);
  if (s.fview !== 'graph') out.set('fview', s.fview);
  if (s.compare) out.set('compare', s.compare);
  for (const z of s.szoom) out.append('szoom', z);
  if (s.sq) out.set('sq', s.sq);
  if (s.quality !== 'entropy') out.set('quality', s.quality);
  if (s.tsort) out.set('tsort', s.tsort);
  return out;
}
