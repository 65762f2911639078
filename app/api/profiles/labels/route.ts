import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/profiles/labels?from=&to=[&selector=]: label names (Pyroscope LabelNames). */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.profileLabels, req);
