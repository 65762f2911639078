import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/traces/red?q=<TraceQL>&from=&to=[&width=]: rate, errors and duration percentiles of the matching spans. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.traceRed, req);
