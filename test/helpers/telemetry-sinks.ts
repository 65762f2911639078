// Local stand-ins for an OTLP/HTTP trace receiver (POST /v1/traces, JSON as sent
// by @opentelemetry/exporter-trace-otlp-http) and a Pyroscope push receiver
// (POST /ingest, gzipped pprof body as sent by @pyroscope/nodejs). They keep what
// they receive, decoded, for tests and benchmarks to inspect.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

export interface OtlpAttr {
  key: string;
  value: { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean; arrayValue?: { values: OtlpAttr['value'][] } };
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
  status?: { code?: number; message?: string };
  resource: Record<string, unknown>;
}

export interface ReceivedProfile {
  query: URLSearchParams;
  profile: Profile;
  /** values of the pprof label `key` on samples, with the summed first sample value */
  labelValues(key: string): Map<string, number>;
}

function attrValue(v: OtlpAttr['value']): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(attrValue);
  return undefined;
}

/** OTLP/JSON fixed64 times: a decimal string, a number, or protobufjs's {low, high} long bits. */
function nanos(v: unknown): bigint {
  if (typeof v === 'string' || typeof v === 'number') return BigInt(v);
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const l = v as { low: number; high: number };
    return (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  }
  return 0n;
}

const attrs = (list: OtlpAttr[] | undefined) => Object.fromEntries((list ?? []).map((a) => [a.key, attrValue(a.value)]));

export interface Sinks {
  url: string;
  spans: ReceivedSpan[];
  /** POST bodies received per path (counted also when not decoded) */
  counts: Record<string, number>;
  profiles: ReceivedProfile[];
  /** raw requests, for counting */
  requests: { path: string; contentType: string | undefined }[];
  close(): Promise<void>;
}

/**
 * Sandbox telemetry that goes to sinks at `url` promptly and deterministically: spans
 * exported 100 ms after they end, one profile push (at close), every P0 request traced
 * and no P1 request, so a test chooses which requests it sees.
 */
export function sandboxTelemetryTo(url: string) {
  return {
    otlpEndpoint: url,
    exportDelayMs: 100,
    pyroscopeServerAddress: url,
    profileFlushIntervalMs: 60_000,
    sampling: { p1Base: 0, minProbability: 0 },
  };
}

/**
 * decode: false only counts what arrives, without parsing or keeping it (long runs
 * and benchmarks in the same process, where decoding would cost memory and CPU).
 */
export async function startSinks(opts: { decode?: boolean } = {}): Promise<Sinks> {
  const keep = opts.decode ?? true;
  const counts: Record<string, number> = {};
  const spans: ReceivedSpan[] = [];
  const profiles: ReceivedProfile[] = [];
  const requests: Sinks['requests'] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const u = new URL(req.url ?? '/', 'http://x');
    counts[u.pathname] = (counts[u.pathname] ?? 0) + 1;
    if (!keep) {
      res.writeHead(req.method === 'POST' ? 200 : 404);
      res.end();
      return;
    }
    requests.push({ path: u.pathname, contentType: req.headers['content-type'] });
    try {
      if (req.method === 'POST' && u.pathname === '/v1/traces') {
        const doc = JSON.parse(body.toString('utf8'));
        for (const rs of doc.resourceSpans ?? []) {
          const resource = attrs(rs.resource?.attributes);
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId || undefined,
                name: s.name,
                kind: s.kind,
                startTimeUnixNano: nanos(s.startTimeUnixNano),
                endTimeUnixNano: nanos(s.endTimeUnixNano),
                attributes: attrs(s.attributes),
                links: (s.links ?? []).map((l: { traceId: string; spanId: string }) => ({ traceId: l.traceId, spanId: l.spanId })),
                status: s.status,
                resource,
              });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      if (req.method === 'POST' && u.pathname === '/ingest') {
        const profile = Profile.decode(gunzipSync(body));
        profiles.push({
          query: u.searchParams,
          profile,
          labelValues(key: string) {
            const out = new Map<string, number>();
            const strings = profile.stringTable.strings;
            for (const s of profile.sample) {
              for (const l of s.label) {
                if (strings[Number(l.key)] !== key) continue;
                const v = strings[Number(l.str)];
                out.set(v, (out.get(v) ?? 0) + Number(s.value[0] ?? 0));
              }
            }
            return out;
          },
        });
        res.writeHead(200);
        res.end();
        return;
      }
      res.writeHead(404);
      res.end();
    } catch (e) {
      res.writeHead(400);
      res.end(String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    counts,
    profiles,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
