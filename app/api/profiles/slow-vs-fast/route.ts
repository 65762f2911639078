import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/profiles/slow-vs-fast?q=<TraceQL>&from=&to=[&n=&pool=]: the slowest requests' CPU diffed against the fastest ones'. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.profileSlowFast, req);
