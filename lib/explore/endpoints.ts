// Explore's read-only API, one table: each endpoint's path, its parameters
// (zod) and the lib function that answers. The route handlers under
// app/api/{prometheus,traces,profiles} serve these entries (validate → lib →
// respond), and incident links replay the same entries server-side to freeze
// the responses behind a view (lib/incidents/replay.ts).
import type { z } from 'zod';
import { badRequest } from '@/lib/api-errors';
import { respond } from '@/lib/runs/http';
import * as metrics from './metrics';
import * as P from './params';
import * as profiles from './profiles';
import * as quality from './quality';
import * as traces from './traces';

type Signal = { signal?: AbortSignal };

export interface Endpoint<S extends z.ZodType = z.ZodType> {
  /** `/api/…`, `:name` for a path parameter */
  path: string;
  /** query parameters and path parameters together */
  schema: S;
  read(input: z.output<S>, opts: Signal): Promise<unknown>;
}

const endpoint = <S extends z.ZodType>(path: string, schema: S, read: (input: z.output<S>, opts: Signal) => Promise<unknown>): Endpoint => ({ path, schema, read: read as Endpoint['read'] });

export const EXPLORE_ENDPOINTS = {
  promQueryRange: endpoint('/api/prometheus/query_range', P.PromRangeQuery, metrics.queryRange),
  promQuery: endpoint('/api/prometheus/query', P.PromInstantQuery, metrics.queryInstant),
  promExemplars: endpoint('/api/prometheus/query_exemplars', P.PromExemplarsQuery, metrics.queryExemplars),
  promHeatmap: endpoint('/api/prometheus/heatmap', P.PromHeatmapQuery, metrics.histogramHeatmap),
  promPresets: endpoint('/api/prometheus/presets', P.PresetQuery, metrics.presetFigures),
  traceSearch: endpoint('/api/traces/search', P.TraceSearchQuery, traces.searchTraces),
  traceHeatmap: endpoint('/api/traces/heatmap', P.TraceMetricsQuery, traces.traceHeatmap),
  traceRed: endpoint('/api/traces/red', P.TraceMetricsQuery, traces.traceRed),
  traceQuality: endpoint('/api/traces/quality', P.TraceQualityQuery, quality.exploreQuality),
  traceTagValues: endpoint('/api/traces/tags/:name/values', P.TagValuesQuery.and(P.TagValuesName), (q, o) => traces.tagValues(q.name, q, o)),
  profileTypes: endpoint('/api/profiles/types', P.ProfileTypesQuery, profiles.profileTypes),
  profileLabels: endpoint('/api/profiles/labels', P.ProfileLabelsQuery, profiles.labelNames),
  profileLabelValues: endpoint('/api/profiles/label-values', P.ProfileLabelValuesQuery, profiles.labelValues),
  profileFlame: endpoint('/api/profiles/flame', P.FlameQuery, profiles.flame),
  profileDiff: endpoint('/api/profiles/diff', P.DiffQuery, profiles.diff),
  profileSpan: endpoint('/api/profiles/span', P.SpanProfileQuery, profiles.spanProfile),
  profileSlowFast: endpoint('/api/profiles/slow-vs-fast', P.SlowFastQuery, profiles.slowVsFast),
} satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof EXPLORE_ENDPOINTS;

/** A route handler's whole body: validate the query (and path parameters), call the lib, answer JSON or the error contract. */
export async function serve(e: Endpoint, req: Request, pathParams: Record<string, string> = {}): Promise<Response> {
  const input = e.schema.safeParse({ ...P.searchObject(req.url), ...pathParams });
  if (!input.success) return badRequest(input.error.issues);
  return respond(() => e.read(input.data, { signal: req.signal }));
}
