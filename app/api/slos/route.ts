import { z } from 'zod';
import { requireRole } from '@/lib/auth';
import { prisma } from '@/lib/db';
import { rulesDeployment } from '@/lib/slo/deploy';
import { jsonBody, noStore, parseInput, sloRoute } from '@/lib/slo/http';
import { createDefinition } from '@/lib/slo/service';
import { listSlos } from '@/lib/slo/store';

const CreateBody = z.object({ definition: z.unknown(), message: z.string().max(500).optional() });

/** GET /api/slos: every SLO's current definition and revision, and where its rules go. */
export async function GET() {
  return sloRoute(async () => Response.json({ slos: await listSlos(prisma()), deployment: rulesDeployment().mode }, { headers: noStore }));
}

/** POST /api/slos {definition, message?} → 201 {slo, rules, bucket}: revision 1, rules deployed. */
export async function POST(req: Request) {
  return sloRoute(async () => {
    const viewer = await requireRole(req, 'editor');
    const body = parseInput(CreateBody, await jsonBody(req, 64 * 1024));
    const saved = await createDefinition(body.definition, { author: viewer.name, message: body.message || 'created' });
    return Response.json(saved, { status: 201, headers: { location: `/api/slos/${saved.slo.id}` } });
  });
}
