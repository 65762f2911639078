import { complete, completionError, completionParams } from '@/lib/promql/autocomplete';

/** GET /api/promql/series?match[]=…: label sets of matching series, from the configured Prometheus. */
export async function GET(req: Request) {
  const p = completionParams(req.url);
  if (!p.success) return completionError(400, 'bad_data', p.error.issues.map((i) => i.message).join('; '));
  if (!p.data.match.length) return completionError(400, 'bad_data', 'match[] is required');
  // The editor only needs a sample of label sets; a broad selector must not pull every series.
  return complete(async (c) => (await c.series(p.data.match, { range: p.data.range, signal: req.signal })).slice(0, 1000));
}
