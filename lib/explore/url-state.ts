// Explore's whole view as URL search parameters, so a reload, a shared link or
// an incident link shows the same queries and selections. The time range
// (`from`, `to`) and live mode (`live`) belong to the global picker and are
// left alone here. Pure: components/explore/useExploreState reads and writes
// these through the browser's history.
import type { TimeRange } from '@/lib/model/types';
import { QUALITY_SIGNALS, type QualitySignal } from '@/lib/runs/quality';
import { withTimeRange } from '@/lib/time-range';
import { formatCell, parseCell, type HeatmapCell } from './heatmap';

export type MetricsMode = 'lines' | 'heatmap';
export type CompareMode = 'none' | 'range' | 'labels' | 'slowfast';
export const COMPARE_MODES: readonly CompareMode[] = ['none', 'range', 'labels', 'slowfast'];

export interface ExploreState {
  /** Metrics: the PromQL query, how it is drawn, the histogram a heatmap draws and its chosen cell */
  pq: string;
  pmode: MetricsMode;
  hsel: string;
  pcell: HeatmapCell | null;
  /** Traces: the TraceQL query and a chosen cell of its duration heatmap */
  tq: string;
  tcell: HeatmapCell | null;
  trace: string | null;
  span: string | null;
  /** Quality: the signal tab */
  qsig: QualitySignal;
  /** Profiles: service, profile type, extra label matchers `{k="v"}` */
  svc: string;
  ptype: string;
  psel: string;
  /** compared with: another range, another label set, or slow vs fast requests */
  cmp: CompareMode;
  cfrom: number | null;
  cto: number | null;
  csel: string;
  /** flame graph zoom path, search, picked function; the span profile's zoom and search */
  zoom: string[];
  fq: string;
  fn: string | null;
  szoom: string[];
  sq: string;
}

export const EMPTY_EXPLORE: ExploreState = {
  pq: '',
  pmode: 'lines',
  hsel: '',
  pcell: null,
  tq: '',
  tcell: null,
  trace: null,
  span: null,
  qsig: 'entropy',
  svc: '',
  ptype: '',
  psel: '',
  cmp: 'none',
  cfrom: null,
  cto: null,
  csel: '',
  zoom: [],
  fq: '',
  fn: null,
  szoom: [],
  sq: '',
};

const KEYS = Object.keys(EMPTY_EXPLORE) as (keyof ExploreState)[];

/** Queries come from a link: bounded, so a crafted URL cannot make the page do huge work. */
const MAX_QUERY = 4096;
const MAX_TEXT = 500;
const MAX_DEPTH = 256;

interface ReadableParams {
  get(name: string): string | null;
  getAll(name: string): string[];
}

const text = (v: string | null, max = MAX_TEXT) => (v ?? '').slice(0, max);
const ms = (v: string | null) => (v && /^\d{12,14}$/.test(v) ? Number(v) : null);
const hex = (v: string | null, n: number) => {
  const s = v?.toLowerCase() ?? '';
  return new RegExp(`^[0-9a-f]{${n}}$`).test(s) ? s : null;
};

/** The view a URL describes; values that do not parse are dropped, never guessed. */
export function readExploreState(p: ReadableParams): ExploreState {
  const cmp = p.get('cmp') as CompareMode;
  const cfrom = ms(p.get('cfrom'));
  const cto = ms(p.get('cto'));
  const qsig = p.get('qsig');
  return {
    pq: text(p.get('pq'), MAX_QUERY),
    pmode: p.get('pmode') === 'heatmap' ? 'heatmap' : 'lines',
    hsel: text(p.get('hsel'), MAX_QUERY),
    pcell: parseCell(p.get('pcell')),
    tq: text(p.get('tq'), MAX_QUERY),
    tcell: parseCell(p.get('tcell')),
    trace: hex(p.get('trace'), 32),
    span: hex(p.get('span'), 16),
    qsig: (QUALITY_SIGNALS as readonly string[]).includes(qsig ?? '') ? (qsig as QualitySignal) : 'entropy',
    svc: text(p.get('svc')),
    ptype: text(p.get('ptype')),
    psel: text(p.get('psel'), 2000),
    cmp: COMPARE_MODES.includes(cmp) ? cmp : 'none',
    cfrom: cfrom !== null && cto !== null && cto > cfrom ? cfrom : null,
    cto: cfrom !== null && cto !== null && cto > cfrom ? cto : null,
    csel: text(p.get('csel'), 2000),
    zoom: p.getAll('zoom').slice(0, MAX_DEPTH).map((z) => text(z)),
    fq: text(p.get('fq')),
    fn: p.get('fn') === null ? null : text(p.get('fn')),
    szoom: p.getAll('szoom').slice(0, MAX_DEPTH).map((z) => text(z)),
    sq: text(p.get('sq')),
  };
}

/**
 * A change and what it invalidates: a new query drops its cell and the
 * selections made from its results, a new trace its span, a new profile
 * selection its zoom path.
 */
export function changeExplore(s: ExploreState, patch: Partial<ExploreState>): ExploreState {
  const next = { ...s, ...patch };
  const changed = (k: keyof ExploreState) => k in patch && JSON.stringify(patch[k]) !== JSON.stringify(s[k]);
  if ((changed('pq') || changed('hsel') || changed('pmode')) && !('pcell' in patch)) next.pcell = null;
  if (changed('tq') && !('tcell' in patch)) next.tcell = null;
  if (next.trace !== s.trace && !('span' in patch)) next.span = null;
  if (next.span !== s.span || next.trace !== s.trace) {
    if (!('szoom' in patch)) next.szoom = [];
    if (!('sq' in patch)) next.sq = '';
  }
  if ((changed('svc') || changed('ptype') || changed('psel') || changed('cmp') || changed('csel') || changed('cfrom')) && !('zoom' in patch)) {
    next.zoom = [];
    if (!('fn' in patch)) next.fn = null;
  }
  return next;
}

/** The URL's search string for a view: `base`'s other parameters (the time range) kept, defaults left out. */
export function writeExploreState(base: URLSearchParams | string, s: ExploreState): URLSearchParams {
  const out = new URLSearchParams(base);
  for (const k of KEYS) out.delete(k);
  const put = (k: keyof ExploreState, v: string | null) => {
    if (v !== null && v !== '') out.set(k, v);
  };
  put('pq', s.pq);
  if (s.pmode !== 'lines') put('pmode', s.pmode);
  put('hsel', s.hsel);
  put('pcell', s.pcell && formatCell(s.pcell));
  put('tq', s.tq);
  put('tcell', s.tcell && formatCell(s.tcell));
  put('trace', s.trace);
  put('span', s.span);
  if (s.qsig !== 'entropy') put('qsig', s.qsig);
  put('svc', s.svc);
  put('ptype', s.ptype);
  put('psel', s.psel);
  if (s.cmp !== 'none') put('cmp', s.cmp);
  put('cfrom', s.cfrom === null ? null : String(s.cfrom));
  put('cto', s.cto === null ? null : String(s.cto));
  put('csel', s.csel);
  for (const z of s.zoom) out.append('zoom', z);
  put('fq', s.fq);
  if (s.fn !== null) out.set('fn', s.fn);
  for (const z of s.szoom) out.append('szoom', z);
  put('sq', s.sq);
  return out;
}

/** `{service_name="svc", …extra}`: the profile selection of a service plus the typed matchers. */
export function profileSelector(svc: string, extra: string): string {
  const inner = extra.trim().replace(/^\{/, '').replace(/\}$/, '').trim();
  const parts = [svc ? `service_name=${JSON.stringify(svc)}` : '', inner].filter(Boolean);
  return `{${parts.join(', ')}}`;
}

/** The Traces query a service gets by default: its request (server) spans. */
export const defaultTraceQL = (svc: string) => (svc ? `{ resource.service.name = ${JSON.stringify(svc)} && kind = server }` : '{ kind = server }');

/**
 * Explore over an absolute range, its Traces and Profiles on one service when
 * known: how another page (a load run) opens Explore on what it shows.
 */
export function exploreHref(range: TimeRange, svc: string | null = null): string {
  const p = writeExploreState(withTimeRange('', { from: String(Math.floor(range.from)), to: String(Math.ceil(range.to)) }), { ...EMPTY_EXPLORE, svc: svc ?? '' });
  return `/explore?${p}`;
}
