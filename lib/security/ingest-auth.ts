// Who may send telemetry to the receivers (/v1/traces, /ingest), pure. With
// INGEST_TOKEN set, every push must carry `Authorization: Bearer <token>` (what
// OTLP exporters send from OTEL_EXPORTER_OTLP_HEADERS and the Pyroscope SDK
// from PYROSCOPE_AUTH_TOKEN). Without one, pushes are accepted only while the
// app listens on loopback. The tenant comes from X-Scope-OrgID, as in
// Tempo, Mimir and Pyroscope.
import { timingSafeEqual } from 'node:crypto';
import { isLoopbackHost } from '@/lib/config';

export interface IngestRefusal {
  status: 400 | 401;
  message: string;
}

/** Tenant ids as Tempo/Mimir accept them (no "/" and no "..", up to 150 characters). */
const TENANT = /^[A-Za-z0-9!._*'()-]{1,150}$/;

export function bearerToken(authorization: string | null): string | null {
  const m = /^Bearer[ ]+([\x21-\x7e]+)\s*$/i.exec(authorization ?? '');
  return m ? m[1] : null;
}

export function tokenMatches(sent: string | null, expected: string): boolean {
  if (sent === null) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether a push with these headers is let in; a refusal says what to configure. */
export function checkIngest(headers: Headers, cfg: { INGEST_TOKEN?: string; HOST: string }): IngestRefusal | null {
  if (cfg.INGEST_TOKEN) {
    if (tokenMatches(bearerToken(headers.get('authorization')), cfg.INGEST_TOKEN)) return null;
    return { status: 401, message: 'missing or wrong ingest token: send Authorization: Bearer <INGEST_TOKEN> (OTEL_EXPORTER_OTLP_HEADERS, PYROSCOPE_AUTH_TOKEN)' };
  }
  if (isLoopbackHost(cfg.HOST)) return null;
  return { status: 401, message: `the app listens on ${cfg.HOST}: set INGEST_TOKEN to accept telemetry from other machines` };
}

/** The tenant of a push (X-Scope-OrgID), '' when none; a malformed one is refused. */
export function tenantOf(headers: Headers): string | IngestRefusal {
  const t = headers.get('x-scope-orgid')?.trim() ?? '';
  if (t === '') return '';
  if (!TENANT.test(t) || t === '.' || t === '..') return { status: 400, message: `X-Scope-OrgID: not a valid tenant id: ${JSON.stringify(t.slice(0, 60))}` };
  return t;
}
