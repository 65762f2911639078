import { appMetrics } from '@/lib/app-metrics';

export const dynamic = 'force-dynamic';

/** GET /metrics: the app's own metrics (OpenMetrics), scraped by the embedded Prometheus. */
export async function GET() {
  const { registry } = appMetrics();
  return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
}
