// OTLP/HTTP trace receiver at the conventional path, so OTEL_EXPORTER_OTLP_ENDPOINT
// can point at the app when no Tempo is configured.
import { config } from '@/lib/config';
import { withIngestSlot } from '@/lib/datasources/embedded/ingest-slots';
import { pgPool } from '@/lib/db';
import { receiveOtlpTraces } from '@/lib/datasources/embedded/otlp-receiver';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export function POST(req: Request): Promise<Response> {
  return withIngestSlot(config().INGEST_MAX_CONCURRENT, () => receiveOtlpTraces(req, pgPool()));
}
