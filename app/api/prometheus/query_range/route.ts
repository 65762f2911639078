import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/prometheus/query_range?query=&from=&to=[&step=|&width=]: a PromQL range query, about one point per pixel. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.promQueryRange, req);
