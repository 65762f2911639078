import type { Route } from './fixture-server';

// A Tempo answering the two TraceQL metrics queries of a trace-based SLI from
// test/fixtures/tempo: every range has 8 sampling-weighted spans (3 at p = 1,
// one at p = 0.25, one without a probability); the 4 slow ones (the p = 0.25
// span) are all in the newest range, the last 5 minutes. So over the status
// windows and a 30-day period cut into 24 h ranges the error ratio is
// 4 / (8 × number of ranges in the window).

const FIVE_MINUTES_NS = 300_000_000_000n;

/** The length of the range an instant query asked for: Tempo's closed [start, end] as we send it. */
export const rangeNs = (q: URLSearchParams) => BigInt(q.get('end') ?? '0') - BigInt(q.get('start') ?? '0') + 1n;
export const isSlowQuery = (q: URLSearchParams) => (q.get('q') ?? '').includes('duration >');

export const SLO_WINDOW_RATIOS = { '5m': 4 / 8, '1h': 4 / 16, '6h': 4 / 24, '1d': 4 / 32, '3d': 4 / 48, period: 4 / 264 } as const;

export function tempoSloRoutes(): Route[] {
  return [
    { path: '/api/metrics/query', query: (q) => isSlowQuery(q) && rangeNs(q) === FIVE_MINUTES_NS, file: 'tempo/metrics-query.slow-by-probability.constructed.json' },
    { path: '/api/metrics/query', query: isSlowQuery, file: 'tempo/metrics-query.empty.constructed.json' },
    { path: '/api/metrics/query', file: 'tempo/metrics-query.count-by-probability.constructed.json' },
  ];
}
