// A server's prefix-cache hit rate per transformer block over a run, from its
// own per-block counters: each block's hits over its lookups, both taken as the
// counters' exact growth between the scrapes that bracket the run (the same
// scrapes and the same arithmetic as the latency histogram's exact counts), so
// every rate is within [0, 1] and rests on a whole number of lookups.
import type { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { bracketWindow, windowGrowth, type WindowQuery } from '@/lib/datasources/prometheus/views';
import type { Labels } from '@/lib/model/types';
import type { PrefixCacheHitRate } from '@/lib/targets/presets';
import { clockTime } from './latency';
import { blockHitRates, type BlockHitRates } from './quality';

export type PerBlockCounters = Extract<PrefixCacheHitRate, { kind: 'counters' }> & { by: string };

export type BlockHitRatesResult =
  | { status: 'exact'; blocks: BlockHitRates }
  /** the scrape after the run has not happened yet: ask again shortly */
  | { status: 'pending'; note: string }
  /** why there are none, in the user's words */
  | { status: 'none'; note: string };

export async function readBlockHitRates(
  client: PrometheusClient,
  q: WindowQuery & { counters: PerBlockCounters; matchers?: Labels },
  signal?: AbortSignal,
): Promise<BlockHitRatesResult> {
  const c = q.counters;
  const w = await bracketWindow(client, q, signal);
  if (w.status === 'pending') return { status: 'pending', note: w.reason };
  if (w.status === 'unavailable') return { status: 'none', note: `${w.reason} The per-${c.by} hit rate is read only from what the counters counted between two scrapes around the run, so none is shown.` };
  const [hits, lookups] = await Promise.all([windowGrowth(client, w, c.hits, q.matchers, signal), windowGrowth(client, w, c.queries, q.matchers, signal)]);
  const missing = !lookups.length ? c.queries : !hits.length ? c.hits : null;
  if (missing) return { status: 'none', note: `Prometheus has no ${missing} series from ${w.host}: this server does not export it, so there is no per-${c.by} hit rate.` };
  const rates = blockHitRates(hits, lookups, c.by);
  if (!rates.length) return { status: 'none', note: `No ${c.by} counted a prefix-cache lookup between the scrapes at ${clockTime(w.scrapes.before)} and ${clockTime(w.scrapes.after)} (${c.queries} did not grow).` };
  return { status: 'exact', blocks: { by: c.by, unit: c.unit, hitsMetric: c.hits, lookupsMetric: c.queries, scrapes: w.scrapes, rates } };
}
