import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/prometheus/query?query=[&time=]: a PromQL instant query. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.promQuery, req);
