import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/traces/tags/:name/values[?q=&from=&to=]: values of a tag such as resource.service.name. */
export async function GET(req: Request, ctx: { params: Promise<{ name: string }> }) {
  return serve(EXPLORE_ENDPOINTS.traceTagValues, req, await ctx.params);
}
