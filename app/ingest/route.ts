// Pyroscope's push endpoint, so the Pyroscope SDKs can push to the app when no
// Pyroscope is configured.
import { pgPool } from '@/lib/db';
import { receivePyroscopePush } from '@/lib/datasources/embedded/pyroscope-receiver';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export function POST(req: Request): Promise<Response> {
  return receivePyroscopePush(req, pgPool());
}
