import { badRequest, errorResponse } from '@/lib/api-errors';
import { requireRole } from '@/lib/auth';
import { listRuns, loadRuns, parseCreateRun, TooManyActiveRuns } from '@/lib/loadruns';
import { contextIssues, fetchModelLimits } from '@/lib/loadruns/limits';
import { config } from '@/lib/config';
import { findTarget } from '@/lib/targets';
import { prisma } from '@/lib/db';
import { readJsonBody } from '@/lib/http/read-body';

// A run request is a few hundred bytes; anything far larger is refused before parsing.
const MAX_BODY_BYTES = 16 * 1024;

/** POST /api/runs: {target: NAME, ...load params} → 201 {id}; the run goes on server-side. */
export async function POST(req: Request) {
  try {
    const by = (await requireRole(req, 'editor')).name;
    const body = await readJsonBody(req, MAX_BODY_BYTES);
    const svc = loadRuns();
    const input = parseCreateRun(body, svc.targetNames());
    if (!input.ok) return badRequest(input.issues);
    // Refused before it starts when its prompts and max_tokens cannot fit the model's context.
    // A target that does not answer /v1/models is not checked here: the run itself will say why it fails.
    const { target, params } = input.value;
    const url = findTarget(config(), target)?.url;
    const limits = url ? await fetchModelLimits(url, { model: params.model }).catch(() => null) : null;
    const tooLong = limits?.maxModelLen ? contextIssues(params, limits.maxModelLen) : [];
    if (tooLong.length) return badRequest(tooLong);
    const run = await svc.start(target, params, by);
    return Response.json({ id: run.id }, { status: 201, headers: { location: `/api/runs/${run.id}` } });
  } catch (e) {
    if (e instanceof TooManyActiveRuns) return Response.json({ error: { message: e.message } }, { status: 429, headers: { 'retry-after': '10' } });
    return errorResponse(e);
  }
}

/** GET /api/runs?limit=50: newest first, summaries without per-request samples. */
export async function GET(req: Request) {
  const raw = new URL(req.url).searchParams.get('limit');
  const limit = raw === null ? 50 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) return badRequest([{ path: 'limit', message: 'limit must be a whole number from 1 to 500' }]);
  try {
    await loadRuns().recoverInterrupted();
    return Response.json({ runs: await listRuns(prisma(), limit) });
  } catch (e) {
    return errorResponse(e);
  }
}
