import { complete, completionError, completionParams } from '@/lib/promql/autocomplete';

/** GET /api/promql/labels?match[]=…&start=…&end=…: label names from the configured Prometheus (editor autocompletion). */
export async function GET(req: Request) {
  const p = completionParams(req.url);
  if (!p.success) return completionError(400, 'bad_data', p.error.issues.map((i) => i.message).join('; '));
  return complete((c) => c.labels({ match: p.data.match.length ? p.data.match : undefined, range: p.data.range, signal: req.signal }));
}
