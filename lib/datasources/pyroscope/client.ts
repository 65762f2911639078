import { backendFetch, clientOptionsFromConfig, readJson, type ClientOptions } from '@/lib/datasources/http';
import type { FlameModel } from '@/lib/model/flame';
import { BackendError, type Labels, type ProfileType, type TimeRange } from '@/lib/model/types';
import {
  decodeConnectError,
  parseDiffResponse,
  parseFlameGraphResponse,
  parseLabelsSet,
  parseNames,
  parseProfileJson,
  parseProfileTypes,
} from './parse';
import type { FlameGraphResult, ProfileSelector } from './types';

// Typed client for Pyroscope's query API: Connect RPC with the JSON codec
// (POST /querier.v1.QuerierService/<Method>), where int64 fields travel as
// strings and times are unix ms. Errors are Connect's `{code, message}`.

const SERVICE = '/querier.v1.QuerierService';
const int64 = (n: number) => String(Math.trunc(n));

/** The Connect request body of a SelectMergeStacktraces-shaped selection. */
function selection(sel: ProfileSelector, maxNodes?: number): Record<string, unknown> {
  const body: Record<string, unknown> = {
    profileTypeID: sel.profileTypeId,
    labelSelector: sel.labelSelector,
    start: int64(sel.range.from),
    end: int64(sel.range.to),
  };
  if (maxNodes !== undefined) body.maxNodes = int64(maxNodes);
  return body;
}

export class PyroscopeClient {
  constructor(readonly options: ClientOptions) {}

  static fromConfig(): PyroscopeClient {
    return new PyroscopeClient(clientOptionsFromConfig('pyroscope'));
  }

  private async rpc(method: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const res = await backendFetch('pyroscope', this.options, {
      method: 'POST',
      path: `${SERVICE}/${method}`,
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Connect-Protocol-Version': '1' },
      signal,
      decodeError: decodeConnectError,
    });
    return readJson('pyroscope', this.options, res, signal);
  }

  /** POST /querier.v1.QuerierService/ProfileTypes */
  async profileTypes(range: TimeRange, opts: { signal?: AbortSignal } = {}): Promise<ProfileType[]> {
    return parseProfileTypes(await this.rpc('ProfileTypes', { start: int64(range.from), end: int64(range.to) }, opts.signal));
  }

  /** POST /querier.v1.QuerierService/LabelNames; matchers like `{service_name="sandbox"}`. */
  async labelNames(opts: { matchers?: string[]; range?: TimeRange; signal?: AbortSignal } = {}): Promise<string[]> {
    return parseNames(await this.rpc('LabelNames', { matchers: opts.matchers ?? [], ...rangeBody(opts.range) }, opts.signal));
  }

  /** POST /querier.v1.QuerierService/LabelValues */
  async labelValues(name: string, opts: { matchers?: string[]; range?: TimeRange; signal?: AbortSignal } = {}): Promise<string[]> {
    return parseNames(await this.rpc('LabelValues', { name, matchers: opts.matchers ?? [], ...rangeBody(opts.range) }, opts.signal));
  }

  /** POST /querier.v1.QuerierService/Series: label sets (e.g. the __profile_type__ values a service has). */
  async series(opts: { matchers?: string[]; labelNames?: string[]; range?: TimeRange; signal?: AbortSignal } = {}): Promise<Labels[]> {
    return parseLabelsSet(await this.rpc('Series', { matchers: opts.matchers ?? [], labelNames: opts.labelNames ?? [], ...rangeBody(opts.range) }, opts.signal));
  }

  /**
   * POST /querier.v1.QuerierService/SelectMergeStacktraces → the flat model.
   * `spanSelector` (16-hex span ids) narrows to samples taken in those spans
   * on servers that know the field; prefer spanProfile(), which checks.
   */
  async selectMergeStacktraces(
    sel: ProfileSelector,
    opts: { maxNodes?: number; spanSelector?: string[]; signal?: AbortSignal } = {},
  ): Promise<FlameGraphResult> {
    const body = selection(sel, opts.maxNodes);
    if (opts.spanSelector) body.spanSelector = opts.spanSelector;
    return parseFlameGraphResponse(await this.rpc('SelectMergeStacktraces', body, opts.signal));
  }

  /** POST /querier.v1.QuerierService/SelectMergeSpanProfile (the older span-profile call) → the flat model. */
  async selectMergeSpanProfile(sel: ProfileSelector, spanIds: string[], opts: { maxNodes?: number; signal?: AbortSignal } = {}): Promise<FlameGraphResult> {
    return parseFlameGraphResponse(await this.rpc('SelectMergeSpanProfile', { ...selection(sel, opts.maxNodes), spanSelector: spanIds }, opts.signal));
  }

  /**
   * The CPU profile of exactly these spans. SelectMergeSpanProfile first:
   * a server without it says so (404 / unimplemented), whereas a server that
   * does not know SelectMergeStacktraces' spanSelector would silently ignore
   * it (Connect's JSON codec drops unknown fields) and return the whole
   * service's profile. Only on that refusal do we fall back to spanSelector.
   */
  async spanProfile(sel: ProfileSelector, spanIds: string[], opts: { maxNodes?: number; signal?: AbortSignal } = {}): Promise<FlameGraphResult> {
    try {
      return await this.selectMergeSpanProfile(sel, spanIds, opts);
    } catch (e) {
      if (!(e instanceof BackendError && (e.status === 404 || e.errorType === 'unimplemented'))) throw e;
    }
    return this.selectMergeStacktraces(sel, { ...opts, spanSelector: spanIds });
  }

  /** POST /querier.v1.QuerierService/SelectMergeProfile: the merged pprof (Connect JSON) → the model of one sample type. */
  async selectMergeProfile(sel: ProfileSelector, opts: { maxNodes?: number; sampleIndex?: number; signal?: AbortSignal } = {}): Promise<FlameModel> {
    return parseProfileJson(await this.rpc('SelectMergeProfile', selection(sel, opts.maxNodes), opts.signal), opts.sampleIndex);
  }

  /** POST /querier.v1.QuerierService/Diff: two selections → one diff model (left = baseline, right = comparison). */
  async diff(
    left: ProfileSelector,
    right: ProfileSelector,
    opts: { maxNodes?: number; signal?: AbortSignal } = {},
  ): Promise<{ flame: FlameModel; leftTicks: number; rightTicks: number }> {
    const r = parseDiffResponse(await this.rpc('Diff', { left: selection(left, opts.maxNodes), right: selection(right, opts.maxNodes) }, opts.signal));
    return { flame: r.flame, leftTicks: r.leftTicks, rightTicks: r.rightTicks };
  }
}

function rangeBody(range?: TimeRange): { start?: string; end?: string } {
  return range ? { start: int64(range.from), end: int64(range.to) } : {};
}
