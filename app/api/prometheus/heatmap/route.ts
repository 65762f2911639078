import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/prometheus/heatmap?selector=&from=&to=[&width=]: a histogram metric as a latency heatmap, with its exemplars. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.promHeatmap, req);
