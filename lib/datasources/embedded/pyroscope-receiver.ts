// Pyroscope's push endpoint (POST /ingest) as Pyroscope defines it, for the
// pprof format: `name=app{k=v,...}`, `from`/`until` (unix seconds), the
// profile as the raw body or as the `profile` part of a multipart form (with
// an optional `sample_type_config` part), gzip allowed on the body and on the
// pprof itself. The query's `sampleRate` is ignored on purpose: the period is
// read from the pprof (the Node SDK sends 1e6/flushInterval there, e.g. 17,
// while it samples at 100 Hz). `spyName` and sample_type_config's display
// names choose the profile type ids as Pyroscope does (lib/profiles/profile-type).
//
// The request thread is never held long: gunzip runs on libuv's thread pool
// and the pprof is decoded in slices of a few milliseconds.
import type pg from 'pg';
import { z } from 'zod';
import { PprofDecodeError, PprofTooLargeError, decodeProfileSliced, gunzipProfile, type LeanProfile } from '@/lib/profiles';
import { LabelSyntaxError, parseAppName } from '@/lib/profiles/labels';
import { BodyRefused, mediaType, readBody } from '@/lib/http/read-body';
import { decodeContentEncodingAsync } from './content-encoding';
import { appMetrics } from '@/lib/app-metrics';
import { receiverRedaction } from '@/lib/redaction/policy';
import { redactProfileLabels } from '@/lib/redaction/telemetry';
import { ingestRefusal } from '@/lib/security/ingest-access';
import { tenantOf } from '@/lib/security/ingest-auth';
import { insertProfile, type ProfilePush } from './profile-ingest';

export const INGEST_LIMITS = {
  maxBodyBytes: 16 << 20,
  maxDecodedBytes: 64 << 20,
};

/** sample_type_config: per sample type, how Pyroscope should treat it; display-name chooses the profile name. */
const SampleTypeConfig = z.record(
  z.string(),
  z.object({
    units: z.string().optional(),
    aggregation: z.string().optional(),
    'display-name': z.string().min(1).max(128).optional(),
    sampled: z.boolean().optional(),
    cumulative: z.boolean().optional(),
  }),
);

/** Unix time in seconds (Pyroscope's unit); milliseconds and nanoseconds are recognised by magnitude. Returns ms. */
export function parseUnixTime(v: string, field: string): number {
  if (!/^\d{1,19}$/.test(v)) throw new BodyRefused(400, `${field}: expected unix seconds, got ${JSON.stringify(v.slice(0, 32))}`);
  const n = Number(v);
  if (n >= 1e17) return Math.floor(n / 1e6);
  if (n >= 1e14) return Math.floor(n / 1e3);
  if (n >= 1e11) return n;
  return n * 1000;
}

export interface PushParams {
  service: string;
  labels: Record<string, string>;
  from: number;
  until: number;
  /** the SDK that pushed (`spyName`), when given */
  spyName?: string;
}

/** Validates the query string of a push. Pure. */
export function parsePushQuery(q: URLSearchParams, now = Date.now()): PushParams {
  const name = q.get('name');
  if (!name) throw new BodyRefused(400, 'name: required, e.g. name=myapp{env=dev}');
  const format = q.get('format') ?? 'pprof';
  if (format !== 'pprof') throw new BodyRefused(400, `format: ${JSON.stringify(format)} is not supported by the embedded store; push pprof`);
  let parsed: { service: string; labels: Record<string, string> };
  try {
    parsed = parseAppName(name);
  } catch (e) {
    if (e instanceof LabelSyntaxError) throw new BodyRefused(400, e.message);
    throw e;
  }
  const until = q.get('until') ? parseUnixTime(q.get('until')!, 'until') : now;
  const from = q.get('from') ? parseUnixTime(q.get('from')!, 'from') : until - 10_000;
  if (from > until) throw new BodyRefused(400, `from (${from}) is after until (${until})`);
  const spyName = q.get('spyName') ?? undefined;
  return spyName ? { ...parsed, from, until, spyName: spyName.slice(0, 64) } : { ...parsed, from, until };
}

/** The pprof bytes and optional sample_type_config of a push body. */
async function pushBody(req: Request): Promise<{ profile: Uint8Array; config?: z.infer<typeof SampleTypeConfig> }> {
  const raw = await readBody(req, INGEST_LIMITS.maxBodyBytes);
  const body = await decodeContentEncodingAsync(raw, req.headers.get('content-encoding'), INGEST_LIMITS.maxDecodedBytes);
  const ct = req.headers.get('content-type');
  if (mediaType(ct) !== 'multipart/form-data') return { profile: body };
  let form: FormData;
  try {
    form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': ct! } }).formData();
  } catch (e) {
    throw new BodyRefused(400, `malformed multipart body: ${(e as Error).message}`);
  }
  // Cumulative profiles come with the previous one; Pyroscope refuses them the same way.
  if (form.get('prev_profile')) throw new BodyRefused(422, 'prev_profile: unsupported client version. Please update github.com/grafana/pyroscope-go to the latest version');
  const part = form.get('profile');
  if (!part || typeof part === 'string') throw new BodyRefused(400, 'multipart body has no `profile` file part');
  const profile = new Uint8Array(await part.arrayBuffer());
  const cfgPart = form.get('sample_type_config');
  if (!cfgPart) return { profile };
  const text = typeof cfgPart === 'string' ? cfgPart : await cfgPart.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BodyRefused(400, `sample_type_config: malformed JSON: ${(e as Error).message}`);
  }
  const cfg = SampleTypeConfig.safeParse(json);
  if (!cfg.success) throw new BodyRefused(400, `sample_type_config: ${cfg.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { profile, config: cfg.data };
}

/**
 * Pushed values are counts and durations (delta profiles: cumulative ones are refused); a negative one
 * is a broken profile — a 400 the client won't retry, not a storage failure later.
 */
function refuseNegativeValues(profile: LeanProfile): void {
  const { sampleValues: values, sampleTypes } = profile;
  for (let k = 0; k < values.length; k++) {
    if (values[k] < 0) throw new BodyRefused(400, `malformed pprof: sample[${Math.floor(k / sampleTypes.length)}] value ${values[k]} is negative`);
  }
}

function text(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** Handles one POST /ingest request against `db`. */
export async function receivePyroscopePush(req: Request, db: Pick<pg.Pool, 'query' | 'connect'>): Promise<Response> {
  const refused = await ingestRefusal(req);
  if (refused) return text(refused.status, refused.message);
  const tenant = tenantOf(req.headers);
  if (typeof tenant !== 'string') return text(tenant.status, tenant.message);
  let push: ProfilePush;
  try {
    const params = parsePushQuery(new URL(req.url).searchParams);
    const { profile: bytes, config } = await pushBody(req);
    const profile = await decodeProfileSliced(await gunzipProfile(bytes, INGEST_LIMITS.maxDecodedBytes));
    refuseNegativeValues(profile);
    // Series labels and each distinct per-sample label set, redacted with the receivers' rules.
    const red = redactProfileLabels({ ...params, profile: { samples: profile.labelSets.map((labels) => ({ labels })) } }, receiverRedaction());
    push = {
      ...params,
      service: red.service,
      labels: red.labels,
      profile: { ...profile, labelSets: red.profile.samples.map((s) => s.labels) },
      sampleTypeConfig: config,
      tenant,
    };
  } catch (e) {
    if (e instanceof BodyRefused) return text(e.status, e.message);
    if (e instanceof PprofTooLargeError) return text(413, e.message);
    if (e instanceof PprofDecodeError) return text(400, e.message);
    throw e;
  }
  try {
    await insertProfile(db, push);
  } catch (e) {
    return text(503, `could not store the profile: ${(e as Error).message}`);
  }
  appMetrics().ingested.inc({ signal: 'profiles', outcome: 'stored' });
  return new Response(null, { status: 200 });
}
