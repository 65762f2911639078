import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/prometheus/labels[?match[]=&from=&to=]: label names (the PromQL editor completes from these). */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.promLabels, req);
