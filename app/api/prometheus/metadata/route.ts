import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/prometheus/metadata[?metric=&limit=]: type, help and unit per metric name. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.promMetadata, req);
