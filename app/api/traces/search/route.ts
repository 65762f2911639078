import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/traces/search?q=<TraceQL>&from=&to=[&limit=&spss=]: traces with a matching span (Tempo or the embedded store). */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.traceSearch, req);
