import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/profiles/span?trace=&span=&from=&to=: one span's own CPU profile (its samples, its same-service descendants', its batches'). */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.profileSpan, req);
