import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/profiles/diff?selector=&from=&to=&(baseSelector=|baseFrom=&baseTo=)[&type=&maxNodes=]: a selection against a baseline. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.profileDiff, req);
