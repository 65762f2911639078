import { backendFetch, clientOptionsFromConfig, readBytes, readJson, readText, type ClientOptions } from '@/lib/datasources/http';
import { BackendError, type TimeRange, type Trace } from '@/lib/model/types';
import {
  histogramsFromBuckets,
  isMetricsRefusal,
  normalizeTraceId,
  parseMetricsQueryInstant,
  parseMetricsQueryRange,
  parseSearch,
  parseTagNamesV1,
  parseTagNamesV2,
  parseTagValuesV1,
  parseTagValuesV2,
  parseTraceJson,
  parseTraceProto,
} from './parse';
import type { SearchParams, SearchResult, TagScope, TagValue, TraceQLHistogramResult, TraceQLInstantResult, TraceQLMetricsResult } from './types';

// Typed client for Tempo's HTTP API. Tempo answers errors with plain text,
// which BackendError carries verbatim. Times go to Tempo in unix seconds.

const sec = (ms: number) => String(Math.floor(ms / 1000));
const secUp = (ms: number) => String(Math.ceil(ms / 1000));
const rangeParams = (r?: TimeRange) => (r ? { start: sec(r.from), end: secUp(r.to) } : {});

export class TempoClient {
  constructor(readonly options: ClientOptions) {}

  static fromConfig(): TempoClient {
    return new TempoClient(clientOptionsFromConfig('tempo'));
  }

  private get(path: string, query: Record<string, string | number | undefined>, signal?: AbortSignal, accept = 'application/json') {
    return backendFetch('tempo', this.options, { path, query, signal, headers: { Accept: accept } });
  }

  private async json(path: string, query: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<unknown> {
    return readJson('tempo', this.options, await this.get(path, query, signal), signal);
  }

  /**
   * GET /api/traces/<id> (v1: OTLP JSON or, with `format: 'protobuf'`,
   * tempopb.Trace) or GET /api/v2/traces/<id> (v2: `{trace, status}` as JSON
   * or, with `format: 'protobuf'`, tempopb.TraceByIDResponse). The id may be
   * hex (leading zeros dropped or not) or base64. Returns null when Tempo has
   * no such trace (404).
   */
  async traceById(
    id: string,
    opts: { range?: TimeRange; api?: 'v1' | 'v2'; format?: 'json' | 'protobuf'; signal?: AbortSignal } = {},
  ): Promise<Trace | null> {
    let traceId: string;
    try {
      traceId = normalizeTraceId(id.trim());
    } catch (e) {
      throw new BackendError('tempo', 400, `not a trace id: ${(e as Error).message}`, 'bad_request');
    }
    const path = opts.api === 'v2' ? `/api/v2/traces/${traceId}` : `/api/traces/${traceId}`;
    const proto = opts.format === 'protobuf';
    let res: Response;
    try {
      res = await this.get(path, rangeParams(opts.range), opts.signal, proto ? 'application/protobuf' : 'application/json');
    } catch (e) {
      if (e instanceof BackendError && e.status === 404) return null;
      throw e;
    }
    // A server may ignore Accept and answer JSON anyway: go by what it says it sent.
    if (proto && !/json/i.test(res.headers.get('content-type') ?? '')) {
      return parseTraceProto(await readBytes('tempo', this.options, res, opts.signal), traceId, opts.api ?? 'v1');
    }
    return parseTraceJson(await readJson('tempo', this.options, res, opts.signal), traceId);
  }

  /** GET /api/search: TraceQL (`q`) or tags-based (`tags`) search within a time range. */
  async search(params: SearchParams, opts: { signal?: AbortSignal } = {}): Promise<SearchResult> {
    const body = await this.json(
      '/api/search',
      {
        q: params.q,
        tags: params.tags,
        ...rangeParams(params.range),
        limit: params.limit,
        spss: params.spss,
        minDuration: params.minDuration,
        maxDuration: params.maxDuration,
      },
      opts.signal,
    );
    return parseSearch(body);
  }

  /** GET /api/search/tags (v1): tag names, optionally of one scope. */
  async tagNamesV1(opts: { scope?: TagScope; range?: TimeRange; signal?: AbortSignal } = {}): Promise<string[]> {
    return parseTagNamesV1(await this.json('/api/search/tags', { scope: opts.scope, ...rangeParams(opts.range) }, opts.signal));
  }

  /** GET /api/v2/search/tags: tag names by scope, optionally narrowed by a TraceQL query. */
  async tagNames(opts: { scope?: TagScope; q?: string; range?: TimeRange; signal?: AbortSignal } = {}): Promise<Record<string, string[]>> {
    return parseTagNamesV2(await this.json('/api/v2/search/tags', { scope: opts.scope, q: opts.q, ...rangeParams(opts.range) }, opts.signal));
  }

  /** GET /api/search/tag/<name>/values (v1), e.g. name "service.name". */
  async tagValuesV1(name: string, opts: { range?: TimeRange; signal?: AbortSignal } = {}): Promise<string[]> {
    return parseTagValuesV1(await this.json(`/api/search/tag/${encodeURIComponent(name)}/values`, rangeParams(opts.range), opts.signal));
  }

  /** GET /api/v2/search/tag/<scoped name>/values, e.g. "resource.service.name" or ".service.name". */
  async tagValues(scopedName: string, opts: { q?: string; range?: TimeRange; signal?: AbortSignal } = {}): Promise<TagValue[]> {
    return parseTagValuesV2(await this.json(`/api/v2/search/tag/${encodeURIComponent(scopedName)}/values`, { q: opts.q, ...rangeParams(opts.range) }, opts.signal));
  }

  /**
   * A TraceQL metrics endpoint's JSON body, or `{supported: false}` with the
   * server's own words when this Tempo cannot run TraceQL metrics (no endpoint,
   * no local-blocks processor, no generators); a wrong query still throws.
   */
  private async metricsBody(
    path: '/api/metrics/query_range' | '/api/metrics/query',
    query: Record<string, string | number | undefined>,
    signal?: AbortSignal,
  ): Promise<{ supported: true; body: unknown } | { supported: false; status: number; reason: string }> {
    let res: Response;
    try {
      res = await this.get(path, query, signal);
    } catch (e) {
      if (e instanceof BackendError && e.backend === 'tempo' && isMetricsRefusal(e.status, e.message)) {
        return { supported: false, status: e.status, reason: `not supported by this Tempo: ${e.message}` };
      }
      throw e;
    }
    // Some proxies answer an unknown path with 200 and an HTML page: that is a refusal too.
    const text = await readText('tempo', this.options, res, signal);
    try {
      return { supported: true, body: JSON.parse(text) };
    } catch {
      return { supported: false, status: res.status, reason: `not supported by this Tempo: ${text.trim().slice(0, 200)}` };
    }
  }

  /**
   * GET /api/metrics/query_range with a TraceQL metrics query, e.g.
   * `{resource.service.name="sandbox"} | histogram_over_time(duration)`.
   * A Tempo that cannot run TraceQL metrics answers `{supported: false}` with its
   * own words instead of throwing; a wrong query still throws.
   */
  async metricsQueryRange(
    q: string,
    range: TimeRange,
    opts: { stepS?: number; exemplars?: number; signal?: AbortSignal } = {},
  ): Promise<TraceQLMetricsResult> {
    const r = await this.metricsBody(
      '/api/metrics/query_range',
      { q, ...rangeParams(range), step: opts.stepS === undefined ? undefined : `${opts.stepS}s`, exemplars: opts.exemplars },
      opts.signal,
    );
    return r.supported ? { supported: true, series: parseMetricsQueryRange(r.body) } : r;
  }

  /**
   * GET /api/metrics/query (Tempo 2.6+): one value per series over the whole
   * range, e.g. `{ kind = server } | count_over_time() by (span.x)`. Tempo's
   * instant range is closed at both ends, so the range goes in nanoseconds
   * as [from, to − 1 ns]: spans that start in [from, to), and ranges that
   * meet count every span once. A PARTIAL answer comes back with its message;
   * refusals as in metricsQueryRange.
   */
  async metricsQuery(q: string, range: TimeRange, opts: { signal?: AbortSignal } = {}): Promise<TraceQLInstantResult> {
    const ns = (ms: number) => BigInt(Math.round(ms)) * 1_000_000n;
    const r = await this.metricsBody('/api/metrics/query', { q, start: String(ns(range.from)), end: String(ns(range.to) - 1n) }, opts.signal);
    return r.supported ? { supported: true, ...parseMetricsQueryInstant(r.body) } : r;
  }

  /**
   * A TraceQL `histogram_over_time(…)` query (GET /api/metrics/query_range)
   * as one HistogramSeries per label set, counts summed over the range, e.g.
   * `{resource.service.name="sandbox" && kind=server} | histogram_over_time(duration)`.
   */
  async histogramOverTime(q: string, range: TimeRange, opts: { stepS?: number; signal?: AbortSignal } = {}): Promise<TraceQLHistogramResult> {
    const r = await this.metricsQueryRange(q, range, opts);
    return r.supported ? { supported: true, histograms: histogramsFromBuckets(r.series) } : r;
  }
}
