import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/prometheus/series?match[]=&from=&to=: label sets of the matching series. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.promSeries, req);
