import { prisma } from '@/lib/db';
import { openSloResponse } from '@/lib/slo/export';
import { sloRoute } from '@/lib/slo/http';
import { listSlos } from '@/lib/slo/store';

/** GET /api/slos/openslo?format=yaml|json[&download=1]: every SLO as OpenSLO v1 documents. */
export async function GET(req: Request) {
  return sloRoute(async () => openSloResponse((await listSlos(prisma())).map((s) => s.definition), req.url, 'trisight-slos'));
}
