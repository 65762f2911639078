// PII never reaches storage. The app's receivers (POST /v1/traces, POST /ingest)
// run behind a real HTTP server on 127.0.0.1 with a real Postgres; then
//  1. the official OpenTelemetry SDK exports spans with identifiers in span
//     names, attributes, events, status messages and resource attributes, and a
//     pprof push carries them in labels;
//  2. a load run drives the sandbox, configured from its environment with
//     SANDBOX_RECORD_PROMPTS=1, with prompts carrying each identifier.
// Everything stored is then read back as JSON and searched for every identifier,
// as written and without its separators; the counts must say what was taken.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type pg from 'pg';
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { startTestPostgres, type TestPostgres, testPool } from '../helpers/postgres';
import { int8ToSpanId } from '../../lib/datasources/embedded/pg-binary';
import { startReceivers, type Receivers } from '../helpers/receivers';
import { startSandbox, type Sandbox } from '../../workers/sandbox/serve/index';
import { parseSandboxEnv } from '../../workers/sandbox/serve/env';
import { LoadParams } from '../../lib/loadgen/params';
import { runLoad } from '../../lib/loadgen/run';

/** One of each identifier the rules know (IP addresses are off by default). */
const PII = {
  email: 'jane.doe@example.com',
  card: '4111 1111 1111 1111',
  us_ssn: '219-09-9999',
  uk_nino: 'AB 12 34 56 C',
  cn_mobile: '13812345678',
  cn_resident_id: '11010519491231002X',
  cn_resident_id_15: '110105491231002',
  iban: 'DE89 3704 0044 0532 0130 00',
  phone: '+44 20 7946 0958',
} as const;

/** Each identifier as written and, where that differs, without separators. */
const FORMS = [...new Set(Object.values(PII).flatMap((v) => [v, v.replace(/[ -]/g, '')]))];

let db: TestPostgres;
let pool: pg.Pool;
let app: Receivers | undefined;
let appUrl: string;

before(async () => {
  db = await startTestPostgres();
  process.env.DATABASE_URL = db.url;
  pool = testPool(db.url, 2);
  app = await startReceivers();
  appUrl = app.url;
});

after(async () => {
  await app?.stop();
  await pool?.end();
  const { closeDatabase } = await import('../../lib/db');
  await closeDatabase();
  await db?.stop();
});

type Row = Record<string, unknown>;

/** Every stored span of a service: its text columns and JSON, as stored. */
async function storedSpans(service: string): Promise<Row[]> {
  const r = await pool.query(`SELECT name, service, status_message, attributes, resource_attributes, events, links FROM embedded_span WHERE trace_id IN (SELECT trace_id FROM embedded_span WHERE service = $1)`, [service]);
  return r.rows;
}

function assertNoPii(rows: unknown[], where: string): void {
  const text = JSON.stringify(rows);
  for (const form of FORMS) assert.ok(!text.includes(form), `${where} holds ${JSON.stringify(form)}`);
}

/** A small pprof whose samples carry identifiers in their labels. */
function pprofWithLabels(labels: Record<string, string>): Uint8Array {
  const st = new StringTable();
  const fn = new PFunction({ id: 1, name: st.dedup('handler'), filename: st.dedup('/app/handler.js') });
  const loc = new Location({ id: 1, line: [new Line({ functionId: 1, line: 3 })] });
  const label = Object.entries(labels).map(([k, v]) => new Label({ key: st.dedup(k), str: st.dedup(v) }));
  return new Profile({
    sampleType: [new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') })],
    periodType: new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') }),
    period: 10_000_000,
    function: [fn],
    location: [loc],
    sample: [new Sample({ locationId: [1], value: [30_000_000], label })],
    stringTable: st,
  }).encode();
}

test('OTLP from the official SDK: no identifier in the stored spans, counts per kind recorded', async () => {
  const exporter = new OTLPTraceExporter({ url: `${appUrl}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'pii-svc', 'deployment.owner': `ops lead ${PII.email}` }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('pii-test');
  const root = tracer.startSpan(`lookup ${PII.cn_mobile}`, {
    kind: SpanKind.SERVER,
    attributes: {
      'app.note': `我的手机号是${PII.cn_mobile},请回电`,
      'app.customer.id': `身份证 ${PII.cn_resident_id}`,
      'app.customer.old_id': PII.cn_resident_id_15,
      'app.payment': [`card ${PII.card}`, `iban ${PII.iban}`],
      'app.caller': Number(PII.cn_mobile),
      'app.uk': `nino ${PII.uk_nino}, ssn ${PII.us_ssn}`,
      'gen_ai.prompt': `my number is ${PII.phone}`,
      'http.response.status_code': 500,
    },
  });
  root.addEvent('callback requested', { 'app.phone': PII.phone });
  root.recordException(new Error(`no account for ${PII.email}`));
  root.setStatus({ code: SpanStatusCode.ERROR, message: `lookup failed for ${PII.cn_mobile}` });
  tracer.startSpan(`notify ${PII.email}`, {}, trace.setSpan(context.active(), root)).end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();

  const rows = await storedSpans('pii-svc');
  assert.equal(rows.length, 2, 'both spans were stored');
  assertNoPii(rows, 'embedded_span');
  const r = rows.find((x) => String(x.name).startsWith('lookup'))!;
  assert.equal(r.name, 'lookup [PHONE]');
  assert.equal(r.status_message, 'lookup failed for [PHONE]');
  const a = r.attributes as Record<string, unknown>;
  assert.equal(a['app.note'], '我的手机号是[PHONE],请回电');
  assert.equal(a['app.caller'], '[PHONE]');
  assert.deepEqual(a['app.payment'], ['card [CARD]', 'iban [IBAN]']);
  assert.equal(a['gen_ai.prompt'], undefined, 'gen_ai.prompt is dropped');
  assert.equal(a['http.response.status_code'], 500);
  assert.equal((r.resource_attributes as Record<string, unknown>)['deployment.owner'], 'ops lead [EMAIL]');
  // name, status message, note, caller, event phone = 5 phones; resource + exception message + stack trace = 3 e-mails;
  // the 18- and 15-digit resident ids, NINO, SSN = 4 national ids; one card, one IBAN.
  assert.deepEqual(
    Object.fromEntries(Object.entries(a).filter(([k]) => k.startsWith('trisight.redaction.') || k.startsWith('redaction.'))),
    {
      'redaction.masked.count': 14,
      'redaction.redacted.count': 1,
      'trisight.redaction.phone': 5,
      'trisight.redaction.email': 3,
      'trisight.redaction.national_id': 4,
      'trisight.redaction.card': 1,
      'trisight.redaction.iban': 1,
    },
  );
});

test('profile labels are redacted before they are stored', async () => {
  const now = Math.floor(Date.now() / 1000);
  const name = `pii-profiled{owner=${PII.email}}`;
  const body = pprofWithLabels({ span_id: '4bf92f3577b34da6', span_name: `lookup ${PII.cn_mobile}`, customer_phone: PII.phone, customer_id: PII.cn_resident_id });
  const res = await fetch(`${appUrl}/ingest?name=${encodeURIComponent(name)}&from=${now - 10}&until=${now}`, { method: 'POST', body: body as Uint8Array<ArrayBuffer> });
  assert.equal(res.status, 200, await res.text());
  const r = await pool.query(`SELECT service, labels, span_ids FROM embedded_profile WHERE service = 'pii-profiled'`);
  assert.equal(r.rows.length, 1);
  assertNoPii(r.rows, 'embedded_profile');
  assert.deepEqual(r.rows[0].labels, { service_name: 'pii-profiled', owner: '[EMAIL]', customer_phone: '[PHONE]', customer_id: '[NATIONAL_ID]' });
  // Span ids are stored as int8 (their 64 bits).
  assert.deepEqual(r.rows[0].span_ids.map(int8ToSpanId), ['4bf92f3577b34da6'], 'span ids are kept exact');
});

test('a load run with SANDBOX_RECORD_PROMPTS=1 and prompts carrying each identifier stores none of them', async () => {
  const options = parseSandboxEnv({
    SANDBOX_PORT: '0',
    SANDBOX_BACKEND: 'cpu',
    SANDBOX_PRESET: 'tiny',
    SANDBOX_RECORD_PROMPTS: '1',
    SANDBOX_SAMPLING_P1: '1',
    SANDBOX_SAMPLING_MIN: '1',
    OTEL_EXPORTER_OTLP_ENDPOINT: appUrl,
  });
  const sb: Sandbox = await startSandbox(options);
  const entries = Object.entries(PII);
  let result: Awaited<ReturnType<typeof runLoad>>;
  try {
    result = await runLoad({
      baseUrl: sb.url,
      params: LoadParams.parse({ requests: entries.length, concurrency: 3, promptLength: { mode: 'fixed', tokens: 16 }, maxTokens: 8, temperature: 0, p0Fraction: 1 }),
      sendPriority: true,
      promptFor: (i) => `请联系 ${entries[i][1]} 谢谢`,
    });
  } finally {
    await sb.close(); // flushes the spans to the receiver
  }
  assert.equal(result.report.completed, entries.length);
  const rows = await storedSpans('trisight-sandbox');
  const roots = rows.filter((r) => String(r.name).startsWith('text_completion'));
  assert.equal(roots.length, entries.length, 'every request was traced');
  assertNoPii(rows, 'embedded_span (sandbox)');
  // The prompts were recorded (redacted), not left out.
  const prompts = roots.map((r) => String((r.attributes as Record<string, unknown>)['gen_ai.input.messages'])).sort();
  const expected = ['[EMAIL]', '[CARD]', '[NATIONAL_ID]', '[NATIONAL_ID]', '[PHONE]', '[NATIONAL_ID]', '[NATIONAL_ID]', '[IBAN]', '[PHONE]']
    .map((tag) => JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `请联系 ${tag} 谢谢` }] }]))
    .sort();
  assert.deepEqual(prompts, expected);
  for (const r of roots) assert.ok(((r.attributes as Record<string, unknown>)['redaction.masked.count'] as number) >= 1, 'each request span counts its redaction');
});
