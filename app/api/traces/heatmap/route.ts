import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/traces/heatmap?q=<TraceQL>&from=&to=[&width=]: durations of the matching spans as a heatmap over time. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.traceHeatmap, req);
