import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/profiles/flame?selector=&from=&to=[&type=&maxNodes=]: the merged flame graph of a selection. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.profileFlame, req);
