import { backendFetch, clientOptionsFromConfig, readJson, type ClientOptions } from '@/lib/datasources/http';
import type { Exemplar, Labels, TimeRange } from '@/lib/model/types';
import {
  decodePrometheusError,
  parseAlertsData,
  parseBuildInfo,
  parseEnvelope,
  parseExemplarsData,
  parseMetadataData,
  parseQueryData,
  parseRangeData,
  parseRulesData,
  parseSeriesData,
  parseStringList,
  parseTargetsData,
} from './parse';
import { alignToStep, chooseStep } from './step';
import type { ActiveAlert, ActiveTarget, BuildInfo, InstantQueryResult, LoadedRuleGroup, MetricMetadata, RangeQueryResult } from './types';

// Typed client for the Prometheus HTTP API (also Mimir, Thanos: same API,
// tenant in X-Scope-OrgID). Each method names the endpoint it calls. Queries
// go as POST form bodies so long PromQL never hits a URL length limit.

const sec = (ms: number) => (ms / 1000).toString();

export interface StepChoice {
  /** explicit step in seconds; otherwise chosen from the range and widthPx */
  step?: number;
  widthPx?: number;
  /** lower bound for the chosen step, e.g. the scrape interval */
  minStepS?: number;
}

export class PrometheusClient {
  constructor(readonly options: ClientOptions) {}

  static fromConfig(): PrometheusClient {
    return new PrometheusClient(clientOptionsFromConfig('prometheus'));
  }

  private async call(
    path: string,
    params: Record<string, string | string[] | undefined>,
    signal: AbortSignal | undefined,
    method: 'GET' | 'POST' = 'GET',
  ): Promise<{ data: unknown; warnings: string[] }> {
    let body: URLSearchParams | undefined;
    let query: typeof params | undefined = params;
    if (method === 'POST') {
      body = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) {
        if (v === undefined) continue;
        for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
      }
      query = undefined;
    }
    const res = await backendFetch('prometheus', this.options, {
      method,
      path,
      query,
      body,
      headers: { Accept: 'application/json' },
      signal,
      decodeError: decodePrometheusError,
    });
    return parseEnvelope(await readJson('prometheus', this.options, res, signal), res.status);
  }

  /** POST /api/v1/query: instant query at `time` (unix ms; default: the server's now). */
  async query(expr: string, opts: { time?: number; timeout?: string; signal?: AbortSignal } = {}): Promise<InstantQueryResult> {
    const { data, warnings } = await this.call(
      '/api/v1/query',
      { query: expr, time: opts.time === undefined ? undefined : sec(opts.time), timeout: opts.timeout },
      opts.signal,
      'POST',
    );
    return parseQueryData(data, warnings);
  }

  /**
   * POST /api/v1/query_range over `range`. The step is `opts.step` or chosen
   * from the range and panel width (see step.ts); start/end are aligned to it.
   */
  async queryRange(expr: string, range: TimeRange, opts: StepChoice & { signal?: AbortSignal } = {}): Promise<RangeQueryResult> {
    const step = opts.step ?? chooseStep({ range, widthPx: opts.widthPx ?? 1000, minStepS: opts.minStepS });
    const { start, end } = opts.step === undefined ? alignToStep(range, step) : { start: range.from / 1000, end: range.to / 1000 };
    const { data, warnings } = await this.call(
      '/api/v1/query_range',
      { query: expr, start: String(start), end: String(end), step: String(step) },
      opts.signal,
      'POST',
    );
    return { series: parseRangeData(data), step, warnings };
  }

  /** POST /api/v1/query_exemplars: exemplars of the series `expr` selects within `range`. */
  async queryExemplars(expr: string, range: TimeRange, opts: { signal?: AbortSignal } = {}): Promise<Exemplar[]> {
    const { data } = await this.call('/api/v1/query_exemplars', { query: expr, start: sec(range.from), end: sec(range.to) }, opts.signal, 'POST');
    return parseExemplarsData(data);
  }

  /** POST /api/v1/labels: label names, optionally of the series matching `match`. */
  async labels(opts: { match?: string[]; range?: TimeRange; signal?: AbortSignal } = {}): Promise<string[]> {
    const { data } = await this.call('/api/v1/labels', { 'match[]': opts.match, ...rangeParams(opts.range) }, opts.signal, 'POST');
    return parseStringList(data);
  }

  /** GET /api/v1/label/<name>/values */
  async labelValues(name: string, opts: { match?: string[]; range?: TimeRange; signal?: AbortSignal } = {}): Promise<string[]> {
    const { data } = await this.call(`/api/v1/label/${encodeURIComponent(name)}/values`, { 'match[]': opts.match, ...rangeParams(opts.range) }, opts.signal);
    return parseStringList(data);
  }

  /** POST /api/v1/series: label sets of the series matching any of `match` (at least one required by Prometheus). */
  async series(match: string[], opts: { range?: TimeRange; signal?: AbortSignal } = {}): Promise<Labels[]> {
    const { data } = await this.call('/api/v1/series', { 'match[]': match, ...rangeParams(opts.range) }, opts.signal, 'POST');
    return parseSeriesData(data);
  }

  /** GET /api/v1/metadata: type/help/unit per metric name (the targets' # TYPE / # HELP / # UNIT). */
  async metadata(opts: { metric?: string; limit?: number; signal?: AbortSignal } = {}): Promise<Record<string, MetricMetadata[]>> {
    const { data } = await this.call('/api/v1/metadata', { metric: opts.metric, limit: opts.limit === undefined ? undefined : String(opts.limit) }, opts.signal);
    return parseMetadataData(data);
  }

  /** GET /api/v1/alerts: pending and firing alerts of the rules Prometheus evaluates. */
  async alerts(opts: { signal?: AbortSignal } = {}): Promise<ActiveAlert[]> {
    const { data } = await this.call('/api/v1/alerts', {}, opts.signal);
    return parseAlertsData(data);
  }

  /** GET /api/v1/rules: the loaded rule groups with each rule's health. */
  async rules(opts: { signal?: AbortSignal } = {}): Promise<LoadedRuleGroup[]> {
    const { data } = await this.call('/api/v1/rules', {}, opts.signal);
    return parseRulesData(data);
  }

  /**
   * POST /-/reload (lifecycle API): re-reads the configuration and its rule
   * files. Only for a Prometheus Trisight runs itself; a rule file Prometheus
   * rejects comes back as a BackendError with Prometheus' own message.
   */
  async reload(opts: { signal?: AbortSignal } = {}): Promise<void> {
    const res = await backendFetch('prometheus', this.options, { method: 'POST', path: '/-/reload', signal: opts.signal });
    await res.body?.cancel();
  }

  /** GET /api/v1/targets?state=active: what Prometheus scrapes, with each target's last scrape time. */
  async targets(opts: { signal?: AbortSignal } = {}): Promise<ActiveTarget[]> {
    const { data } = await this.call('/api/v1/targets', { state: 'active' }, opts.signal);
    return parseTargetsData(data);
  }

  /** GET /api/v1/status/buildinfo: also a cheap health probe. */
  async buildinfo(opts: { signal?: AbortSignal } = {}): Promise<BuildInfo> {
    const { data } = await this.call('/api/v1/status/buildinfo', {}, opts.signal);
    return parseBuildInfo(data);
  }
}

function rangeParams(range?: TimeRange): { start?: string; end?: string } {
  return range ? { start: sec(range.from), end: sec(range.to) } : {};
}
