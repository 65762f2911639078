import { errorResponse } from '@/lib/api-errors';
import { config } from '@/lib/config';
import { fetchModelLimits } from '@/lib/loadruns/limits';
import { loadTargets, toPublic } from '@/lib/targets';

/**
 * GET /api/targets: the load targets by name with their serving-metrics preset
 * and the served model's limits from its /v1/models (`limits: null` with
 * `limitsError` when it does not answer); never their URLs.
 */
export async function GET() {
  try {
    const targets = await Promise.all(
      loadTargets(config()).map(async (t) => {
        try {
          return { ...toPublic(t), limits: await fetchModelLimits(t.url) };
        } catch (e) {
          return { ...toPublic(t), limits: null, limitsError: (e as Error).message };
        }
      }),
    );
    return Response.json({ targets });
  } catch (e) {
    return errorResponse(e);
  }
}
