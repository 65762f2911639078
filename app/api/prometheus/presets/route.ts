import { EXPLORE_ENDPOINTS, serve } from '@/lib/explore/endpoints';

/** GET /api/prometheus/presets?preset=vllm|sglang|tgi|semconv: which of the preset's latency histograms this Prometheus has, current names first. */
export const GET = (req: Request) => serve(EXPLORE_ENDPOINTS.promPresets, req);
