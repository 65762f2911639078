import { errorResponse } from '@/lib/api-errors';
import { readKernelSources } from '@/lib/browser-run/kernels';

export const dynamic = 'force-dynamic';

/** GET /api/sandbox/kernels: {kernels: {name: WGSL source}} — what a browser run compiles. */
export async function GET() {
  try {
    return Response.json({ kernels: await readKernelSources() }, { headers: { 'cache-control': 'no-cache' } });
  } catch (e) {
    return errorResponse(e);
  }
}
