import { z } from 'zod';
import { jsonBody, parseInput, sloRoute } from '@/lib/slo/http';
import { preview } from '@/lib/slo/preview';

/** POST /api/slos/preview {definition}: the draft validated as a save would, its maths, and its SLI measured now. Stores nothing. */
export async function POST(req: Request) {
  return sloRoute(async () => {
    const body = parseInput(z.object({ definition: z.unknown() }), await jsonBody(req, 64 * 1024));
    return Response.json(await preview(body.definition, req.signal), { headers: { 'cache-control': 'no-store' } });
  });
}
