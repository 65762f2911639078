import { errorResponse } from '@/lib/api-errors';
import { config } from '@/lib/config';
import { loadTargets, toPublic } from '@/lib/targets';

/** GET /api/targets: the load targets by name with their serving-metrics preset; never their URLs. */
export async function GET() {
  try {
    return Response.json({ targets: loadTargets(config()).map(toPublic) });
  } catch (e) {
    return errorResponse(e);
  }
}
