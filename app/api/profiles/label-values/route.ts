import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/profiles/label-values?name=&from=&to=[&selector=]: a label's values (Pyroscope LabelValues). */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.profileLabelValues, req);
