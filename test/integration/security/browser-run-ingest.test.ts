import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Function as PFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { appDatabaseHooks } from '../../helpers/postgres';

// "Run in this browser" pushes its spans and GPU profile from Trisight's own page,
// which cannot hold the ingest token. With INGEST_TOKEN set (as it must be off
// loopback), a signed-in editor's session with its CSRF token lets those pushes
// in, and nothing weaker does: no session, a viewer's, a missing or another
// session's CSRF token. Real Postgres, the app's route handlers, built-in sign-in.

const TOKEN = 'ingest-token-for-the-test-0123456789';
const app = appDatabaseHooks();
let traces: (req: Request) => Promise<Response>;
let ingest: (req: Request) => Promise<Response>;
interface Who {
  cookie: string;
  csrf: string;
}
let editor: Who;
let viewer: Who;
let otherEditor: Who;

before(async () => {
  process.env.AUTH_MODE = 'builtin';
  process.env.INGEST_TOKEN = TOKEN;
  ({ POST: traces } = await import('../../../app/v1/traces/route'));
  ({ POST: ingest } = await import('../../../app/ingest/route'));
});

/** Three signed-in users, made once Postgres is up (the database hooks' own `before` runs after this file's). */
let users: Promise<void> | undefined;
function signInUsers(): Promise<void> {
  users ??= (async () => {
    const { prisma } = await import('../../../lib/db');
    const { createUser } = await import('../../../lib/auth/users');
    const { createSession, SESSION_COOKIE } = await import('../../../lib/auth/sessions');
    const signedIn = async (name: string, role: 'editor' | 'viewer'): Promise<Who> => {
      const u = await createUser(prisma(), { name, role });
      const s = await createSession(prisma(), u.id, 3_600_000);
      return { cookie: `${SESSION_COOKIE}=${s.token}`, csrf: s.csrfToken };
    };
    editor = await signedIn('ed', 'editor');
    viewer = await signedIn('vi', 'viewer');
    otherEditor = await signedIn('ed2', 'editor');
  })();
  return users;
}

const as = (w: Who, csrf = w.csrf) => ({ cookie: w.cookie, 'x-csrf-token': csrf });

let spanSeq = 0;
/** One span of the browser run's service; its trace id tells the pushes apart. */
function spans(headers: Record<string, string>): { traceId: string; sent: Promise<Response> } {
  const traceId = (++spanSeq).toString(16).padStart(32, '0');
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'trisight-browser' } }] },
        scopeSpans: [{ spans: [{ traceId, spanId: '02'.repeat(8), name: 'text_completion tiny', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' }] }],
      },
    ],
  };
  const req = new Request('http://127.0.0.1/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { traceId, sent: traces(req) };
}

function gpuProfile(headers: Record<string, string>): Promise<Response> {
  const st = new StringTable();
  const p = new Profile({
    sampleType: [new ValueType({ type: st.dedup('gpu_time'), unit: st.dedup('nanoseconds') })],
    periodType: new ValueType({ type: st.dedup('gpu_time'), unit: st.dedup('nanoseconds') }),
    period: 1,
    function: [new PFunction({ id: 1, name: st.dedup('gemv') })],
    location: [new Location({ id: 1, line: [new Line({ functionId: 1 })] })],
    sample: [new Sample({ locationId: [1], value: [1000] })],
    stringTable: st,
  });
  const url = 'http://127.0.0.1/ingest?name=trisight-browser%7Brun%3Dr1%7D&from=1700000000&until=1700000001&format=pprof';
  return ingest(new Request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, body: p.encode() as Uint8Array<ArrayBuffer> }));
}

const stored = async (traceId: string) => Number((await app.pool.query('SELECT count(*)::int AS n FROM embedded_span WHERE trace_id = $1', [traceId])).rows[0].n);
const profiles = async () => Number((await app.pool.query("SELECT count(*)::int AS n FROM embedded_profile WHERE service = 'trisight-browser'")).rows[0].n);

test("an editor's session with its CSRF token pushes a browser run's spans and GPU profile where the ingest token is required", async () => {
  await signInUsers();
  const s = spans(as(editor));
  assert.equal((await s.sent).status, 200);
  assert.equal(await stored(s.traceId), 1);
  const before = await profiles();
  assert.equal((await gpuProfile(as(editor))).status, 200);
  assert.equal(await profiles(), before + 1);
  // Exporters keep using the token.
  const t = spans({ authorization: `Bearer ${TOKEN}` });
  assert.equal((await t.sent).status, 200);
  assert.equal(await stored(t.traceId), 1);
});

test('no token and no session, a session without its CSRF token, another session’s token or a viewer: 401 naming what would do, nothing stored', async () => {
  await signInUsers();
  const before = await profiles();
  const cases: [string, Record<string, string>][] = [
    ['nothing', {}],
    ['the CSRF header alone', { 'x-csrf-token': editor.csrf }],
    ['a session without its CSRF token', { cookie: editor.cookie }],
    ['another session’s CSRF token', as(editor, otherEditor.csrf)],
    ['a viewer', as(viewer)],
    ['a wrong ingest token', { authorization: 'Bearer not-the-token-0123456789' }],
  ];
  for (const [what, headers] of cases) {
    const s = spans(headers);
    const res = await s.sent;
    assert.equal(res.status, 401, what);
    assert.match(JSON.stringify(await res.json()), /ingest token/, what);
    assert.equal(await stored(s.traceId), 0, what);
    const p = await gpuProfile(headers);
    assert.equal(p.status, 401, what);
    assert.match(await p.text(), /INGEST_TOKEN/, what);
  }
  assert.equal(await profiles(), before);
  // With a CSRF header the answer also says what a session lacked.
  const viewerRes = await spans(as(viewer)).sent;
  assert.match(JSON.stringify(await viewerRes.json()), /editor's session \(.*needs the editor role; vi is a viewer/);
});
