import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/prometheus/label/:name/values[?match[]=&from=&to=]: a label's values. */
export async function GET(req: Request, ctx: { params: Promise<{ name: string }> }) {
  return serve(EXPLORE_ENDPOINTS.promLabelValues, req, await ctx.params);
}
