import { complete } from '@/lib/promql/autocomplete';

/** GET /api/promql/metadata: type and help per metric name, from the configured Prometheus. */
export async function GET(req: Request) {
  return complete((c) => c.metadata({ limit: 10_000, signal: req.signal }));
}
