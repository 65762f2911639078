import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/traces/quality?svc=&from=&to=: quality signals (prompt entropy, perplexity, KV reuse) of a service's request spans, each against E2E latency. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.traceQuality, req);
