import type { DecodedError } from '@/lib/datasources/http';
import { Wire } from '@/lib/datasources/wire';
import { BackendError, type Exemplar, type HistogramBucket, type Labels } from '@/lib/model/types';
import type {
  ActiveAlert,
  LoadedRuleGroup,
  ActiveTarget,
  BuildInfo,
  InstantQueryResult,
  InstantSample,
  MetricMetadata,
  NativeHistogramSample,
  RangeSeries,
} from './types';

// Pure: Prometheus HTTP API JSON → our model. No I/O here.

const w = new Wire('prometheus');

/** Prometheus sample values are strings and may be "NaN", "+Inf", "-Inf". */
export function parseSampleValue(s: string): number {
  switch (s) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
    default: {
      const n = Number(s);
      if (Number.isNaN(n) || s.trim() === '') w.fail('sample value', 'a number as a string', s);
      return n;
    }
  }
}

/** Prometheus timestamps are float unix seconds; the model uses unix ms. */
export const secondsToMs = (t: number): number => Math.round(t * 1000);

/** Error body `{status:"error", errorType, error}` → its message verbatim; anything else (a proxy's page) as text. */
export function decodePrometheusError(status: number, body: string, statusText = ''): DecodedError {
  try {
    const j = JSON.parse(body) as { error?: unknown; errorType?: unknown };
    if (typeof j?.error === 'string') return { message: j.error, errorType: typeof j.errorType === 'string' ? j.errorType : undefined };
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = body.trim();
  return { message: text || statusText || `HTTP ${status}` };
}

/**
 * The `{status, data, warnings}` envelope → data. A 2xx body that says
 * status "error" (some proxies do this) is still an error.
 */
export function parseEnvelope(body: unknown, httpStatus = 200): { data: unknown; warnings: string[] } {
  const o = w.obj(body, 'body');
  if (o.status === 'error') {
    throw new BackendError('prometheus', httpStatus, String(o.error ?? 'unknown error'), typeof o.errorType === 'string' ? o.errorType : undefined);
  }
  if (o.status !== 'success') w.fail('status', '"success" or "error"', o.status);
  const warnings = w.optArr(o.warnings, 'warnings').map((x, i) => w.str(x, `warnings[${i}]`));
  return { data: o.data, warnings };
}

function sample(v: unknown, path: string): [number, number] {
  const a = w.arr(v, path);
  return [secondsToMs(w.num(a[0], `${path}[0]`)), parseSampleValue(w.str(a[1], `${path}[1]`))];
}

/**
 * Native histogram bucket boundary rules: 0 open left, 1 open right, 2 open
 * both, 3 closed both. Our buckets are (lower, upper]; inclusivity is dropped,
 * which only matters for observations exactly on a boundary.
 */
export function parseNativeHistogram(v: unknown, path: string): NativeHistogramSample {
  const a = w.arr(v, path);
  const h = w.obj(a[1], `${path}[1]`);
  const buckets: HistogramBucket[] = w.optArr(h.buckets, `${path}.buckets`).map((b, i) => {
    const t = w.arr(b, `${path}.buckets[${i}]`);
    return {
      lower: parseSampleValue(w.str(t[1], `${path}.buckets[${i}][1]`)),
      upper: parseSampleValue(w.str(t[2], `${path}.buckets[${i}][2]`)),
      count: parseSampleValue(w.str(t[3], `${path}.buckets[${i}][3]`)),
    };
  });
  return {
    timestamp: secondsToMs(w.num(a[0], `${path}[0]`)),
    count: parseSampleValue(w.str(h.count, `${path}.count`)),
    sum: parseSampleValue(w.str(h.sum, `${path}.sum`)),
    buckets,
  };
}

function parseMatrix(result: unknown[]): RangeSeries[] {
  return result.map((r, i) => {
    const o = w.obj(r, `result[${i}]`);
    const s: RangeSeries = {
      labels: w.labels(o.metric ?? {}, `result[${i}].metric`),
      values: w.optArr(o.values, `result[${i}].values`).map((v, j) => sample(v, `result[${i}].values[${j}]`)),
    };
    if (o.histograms !== undefined) {
      s.histograms = w.arr(o.histograms, `result[${i}].histograms`).map((h, j) => parseNativeHistogram(h, `result[${i}].histograms[${j}]`));
    }
    return s;
  });
}

function parseVector(result: unknown[]): InstantSample[] {
  return result.map((r, i) => {
    const o = w.obj(r, `result[${i}]`);
    const labels = w.labels(o.metric ?? {}, `result[${i}].metric`);
    if (o.histogram !== undefined) {
      const histogram = parseNativeHistogram(o.histogram, `result[${i}].histogram`);
      return { labels, timestamp: histogram.timestamp, value: NaN, histogram };
    }
    const [timestamp, value] = sample(o.value, `result[${i}].value`);
    return { labels, timestamp, value };
  });
}

/** `data` of /api/v1/query (any result type). */
export function parseQueryData(data: unknown, warnings: string[] = []): InstantQueryResult {
  const d = w.obj(data, 'data');
  switch (d.resultType) {
    case 'vector':
      return { resultType: 'vector', samples: parseVector(w.arr(d.result, 'data.result')), warnings };
    case 'matrix':
      return { resultType: 'matrix', series: parseMatrix(w.arr(d.result, 'data.result')), warnings };
    case 'scalar':
    case 'string': {
      const a = w.arr(d.result, 'data.result');
      return { resultType: d.resultType, timestamp: secondsToMs(w.num(a[0], 'data.result[0]')), value: w.str(a[1], 'data.result[1]'), warnings };
    }
    default:
      return w.fail('data.resultType', 'vector, matrix, scalar or string', d.resultType);
  }
}

/** `data` of /api/v1/query_range: always a matrix. */
export function parseRangeData(data: unknown): RangeSeries[] {
  const d = w.obj(data, 'data');
  if (d.resultType !== 'matrix') w.fail('data.resultType', '"matrix"', d.resultType);
  return parseMatrix(w.arr(d.result, 'data.result'));
}

/** `data` of /api/v1/query_exemplars → flat exemplars, each with its series labels. */
export function parseExemplarsData(data: unknown): Exemplar[] {
  const out: Exemplar[] = [];
  w.optArr(data, 'data').forEach((s, i) => {
    const o = w.obj(s, `data[${i}]`);
    const seriesLabels = w.labels(o.seriesLabels ?? {}, `data[${i}].seriesLabels`);
    w.optArr(o.exemplars, `data[${i}].exemplars`).forEach((e, j) => {
      const x = w.obj(e, `data[${i}].exemplars[${j}]`);
      out.push({
        labels: w.labels(x.labels ?? {}, `data[${i}].exemplars[${j}].labels`),
        value: parseSampleValue(w.str(x.value, `data[${i}].exemplars[${j}].value`)),
        timestamp: secondsToMs(w.num(x.timestamp, `data[${i}].exemplars[${j}].timestamp`)),
        seriesLabels,
      });
    });
  });
  return out;
}

/** `data` of /api/v1/labels and /api/v1/label/<name>/values. */
export function parseStringList(data: unknown): string[] {
  return w.optArr(data, 'data').map((x, i) => w.str(x, `data[${i}]`));
}

/** `data` of /api/v1/series. */
export function parseSeriesData(data: unknown): Labels[] {
  return w.optArr(data, 'data').map((x, i) => w.labels(x, `data[${i}]`));
}

/** `data` of /api/v1/metadata: metric name → its metadata entries. */
export function parseMetadataData(data: unknown): Record<string, MetricMetadata[]> {
  const o = w.obj(data ?? {}, 'data');
  const out: Record<string, MetricMetadata[]> = {};
  for (const [name, list] of Object.entries(o)) {
    out[name] = w.arr(list, `data.${name}`).map((m, i) => {
      const x = w.obj(m, `data.${name}[${i}]`);
      return {
        type: w.str(x.type, `data.${name}[${i}].type`),
        help: w.optStr(x.help, `data.${name}[${i}].help`) ?? '',
        unit: w.optStr(x.unit, `data.${name}[${i}].unit`) ?? '',
      };
    });
  }
  return out;
}

/** Prometheus durations as the targets API prints them ("1s", "1m30s", "500ms") → seconds; NaN otherwise. */
export function parsePromDurationS(s: string | undefined): number {
  if (!s) return NaN;
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  let rest = s;
  while (rest) {
    const m = /^(\d+)(ms|s|m|h|d|w|y)/.exec(rest);
    if (!m) return NaN;
    total += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** `data` of /api/v1/targets: the active targets (dropped ones are not asked for). */
export function parseTargetsData(data: unknown): ActiveTarget[] {
  const d = w.obj(data, 'data');
  return w.optArr(d.activeTargets, 'data.activeTargets').map((t, i) => {
    const o = w.obj(t, `data.activeTargets[${i}]`);
    const p = `data.activeTargets[${i}]`;
    const last = Date.parse(w.optStr(o.lastScrape, `${p}.lastScrape`) ?? '');
    const health = w.optStr(o.health, `${p}.health`);
    return {
      labels: w.labels(o.labels ?? {}, `${p}.labels`),
      scrapePool: w.optStr(o.scrapePool, `${p}.scrapePool`) ?? '',
      scrapeUrl: w.str(o.scrapeUrl, `${p}.scrapeUrl`),
      health: health === 'up' || health === 'down' ? health : 'unknown',
      lastError: w.optStr(o.lastError, `${p}.lastError`) ?? '',
      // Go's zero time (0001-01-01) before the first scrape parses to a negative number.
      lastScrapeMs: Number.isFinite(last) && last > 0 ? last : 0,
      scrapeIntervalS: parsePromDurationS(w.optStr(o.scrapeInterval, `${p}.scrapeInterval`)),
    };
  });
}

/** `data` of /api/v1/status/buildinfo. */
export function parseBuildInfo(data: unknown): BuildInfo {
  const o = w.obj(data, 'data');
  const s = (k: string) => w.optStr(o[k], `data.${k}`) ?? '';
  return { version: w.str(o.version, 'data.version'), revision: s('revision'), branch: s('branch'), buildUser: s('buildUser'), buildDate: s('buildDate'), goVersion: s('goVersion') };
}

/** `data` of /api/v1/alerts. */
export function parseAlertsData(data: unknown): ActiveAlert[] {
  const o = w.obj(data, 'data');
  return w.optArr(o.alerts, 'data.alerts').map((a, i) => {
    const x = w.obj(a, `data.alerts[${i}]`);
    const state = w.str(x.state, `data.alerts[${i}].state`);
    if (state !== 'pending' && state !== 'firing') return w.fail(`data.alerts[${i}].state`, 'pending or firing', state);
    const activeAt = Date.parse(w.str(x.activeAt, `data.alerts[${i}].activeAt`));
    return {
      labels: w.labels(x.labels, `data.alerts[${i}].labels`),
      annotations: x.annotations === undefined ? {} : w.labels(x.annotations, `data.alerts[${i}].annotations`),
      state: state as ActiveAlert['state'],
      activeAt,
      value: parseSampleValue(w.str(x.value, `data.alerts[${i}].value`)),
    };
  });
}

/** `data` of /api/v1/rules. */
export function parseRulesData(data: unknown): LoadedRuleGroup[] {
  const o = w.obj(data, 'data');
  return w.optArr(o.groups, 'data.groups').map((g, i) => {
    const x = w.obj(g, `data.groups[${i}]`);
    return {
      name: w.str(x.name, `data.groups[${i}].name`),
      file: w.str(x.file, `data.groups[${i}].file`),
      rules: w.optArr(x.rules, `data.groups[${i}].rules`).map((r, j) => {
        const y = w.obj(r, `data.groups[${i}].rules[${j}]`);
        const type = w.str(y.type, `data.groups[${i}].rules[${j}].type`);
        return {
          name: w.str(y.name, `data.groups[${i}].rules[${j}].name`),
          type: type === 'alerting' ? 'alerting' : 'recording',
          health: w.optStr(y.health, `data.groups[${i}].rules[${j}].health`) ?? 'unknown',
          lastError: w.optStr(y.lastError, `data.groups[${i}].rules[${j}].lastError`) || undefined,
        };
      }),
    };
  });
}
