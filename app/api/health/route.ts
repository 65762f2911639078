import { checkAppHealth } from '@/lib/health';

// Always 200: the body says per component what is up, so the Status page (and
// the launcher's readiness probe) can read it even when a backend is down.
export const dynamic = 'force-dynamic';

export async function GET() {
  return Response.json(await checkAppHealth(), { headers: { 'cache-control': 'no-store' } });
}
