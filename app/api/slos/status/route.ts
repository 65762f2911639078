import { prisma } from '@/lib/db';
import { noStore, sloRoute } from '@/lib/slo/http';
import { sloStatuses } from '@/lib/slo/status';
import { listSlos } from '@/lib/slo/store';

/** GET /api/slos/status: every SLO's SLI, budget left, burn rates, alerts and state, from Prometheus' evaluation of its rules. */
export async function GET(req: Request) {
  return sloRoute(async () => Response.json(await sloStatuses(await listSlos(prisma()), { signal: req.signal }), { headers: noStore }));
}
