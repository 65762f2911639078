import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/prometheus/query_exemplars?query=&from=&to=: exemplars of the series a query selects. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.promExemplars, req);
