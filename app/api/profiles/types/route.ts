import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/profiles/types?from=&to=: profile types stored in the range (Pyroscope ProfileTypes). */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.profileTypes, req);
