import { z } from 'zod';
import { ApiError } from '@/lib/api-errors';
import { requireRole } from '@/lib/auth';
import { jsonBody, parseInput, sloRoute } from '@/lib/slo/http';
import { MAX_IMPORT_BYTES } from '@/lib/slo/import';
import { importSlos } from '@/lib/slo/service';

const ImportBody = z.object({
  /** OpenSLO v1 YAML/JSON or a Sloth prometheus/v1 spec */
  text: z.string(),
  /** a new name for the (single) imported SLO */
  rename: z.string().trim().min(1).optional(),
  /** validate only: what would be created */
  dryRun: z.boolean().optional(),
});

/** POST /api/slos/import {text, rename?, dryRun?} → 201 {created}: all the document's SLOs or, on any problem, none (400 with each path). */
export async function POST(req: Request) {
  return sloRoute(async () => {
    const viewer = await requireRole(req, 'editor');
    let raw: Record<string, unknown>;
    try {
      // JSON escaping can grow a document; the document's own limit is checked on the text.
      raw = await jsonBody(req, MAX_IMPORT_BYTES * 2);
    } catch (e) {
      if (e instanceof ApiError && e.status === 413) throw new ApiError(413, `the document is larger than ${MAX_IMPORT_BYTES / 1024} KiB: import fewer SLOs at a time`);
      throw e;
    }
    const body = parseInput(ImportBody, raw);
    const r = await importSlos(body.text, { rename: body.rename, dryRun: body.dryRun }, { author: viewer.name });
    return Response.json(r, { status: body.dryRun ? 200 : 201 });
  });
}
