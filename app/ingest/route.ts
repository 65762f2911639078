// Pyroscope's push endpoint, so the Pyroscope SDKs can push to the app when no
// Pyroscope is configured.
import { config } from '@/lib/config';
import { withIngestSlot } from '@/lib/datasources/embedded/ingest-slots';
import { pgPool } from '@/lib/db';
import { receivePyroscopePush } from '@/lib/datasources/embedded/pyroscope-receiver';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export function POST(req: Request): Promise<Response> {
  return withIngestSlot(config().INGEST_MAX_CONCURRENT, () => receivePyroscopePush(req, pgPool()));
}
