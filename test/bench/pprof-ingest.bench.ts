// pprof ingest into the embedded store, through the real POST /ingest handler
// and a real (embedded) Postgres: profiles per second, CPU per profile on each
// side (this process, the Postgres backends), the longest the request thread
// was blocked, and where Node's time goes (a V8 CPU profile of the ingest,
// summed by function and by part). The reference measured in the same run:
// pprof-format's decode of the same bytes. Never fails on speed.
//
//   npm run bench -- pprof-ingest
//   PPROF_BENCH_PROFILES=100 npx tsx test/bench/pprof-ingest.bench.ts
import { randomBytes } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { Profile } from 'pprof-format';
import { receivePyroscopePush } from '../../lib/datasources/embedded/pyroscope-receiver';
import { measure } from '../helpers/cpu-time';
import { startTestPostgres } from '../helpers/postgres';
import { makeProfile } from '../helpers/pprof-pushes';
import { line, runBench } from './scaffold';

const PROFILES = Number(process.env.PPROF_BENCH_PROFILES ?? 300);
const WARMUP = 20;
const CONCURRENCY = 4;


async function pushAll(pool: pg.Pool, pushes: Uint8Array[], t0: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < pushes.length) {
        const k = next++;
        const from = t0 + 10 * (k % 360);
        const url = `http://bench/ingest?name=${encodeURIComponent('pushbench{env=bench}')}&from=${from}&until=${from + 10}&format=pprof&sampleRate=17&spyName=nodespy`;
        const r = await receivePyroscopePush(new Request(url, { method: 'POST', body: pushes[k] as Uint8Array<ArrayBuffer> }), pool);
        if (r.status !== 200) throw new Error(`push answered ${r.status}: ${await r.text()}`);
      }
    }),
  );
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** What part of the ingest a function belongs to, by its source file. */
function partOf(fn: string, url: string): string {
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(program)' || fn === '(idle)') return fn;
  if (/pprof-format/.test(url)) return 'pprof-format';
  if (/lib\/profiles\//.test(url)) return 'pprof decode + stacks (lib/profiles)';
  if (/embedded\/profiles/.test(url)) return 'rows + SQL (embedded/profiles)';
  if (/embedded\/(pyroscope-receiver|body)/.test(url) || /redaction/.test(url)) return 'receiver (query, body, labels)';
  if (/node_modules\/pg/.test(url)) return 'pg driver';
  if (/zlib/.test(url) || fn === 'zlibBufferSync' || fn === 'processChunkSync') return 'gzip';
  if (/^node:|internal\//.test(url) || url === '') return `node internals${fn ? ` (${fn})` : ''}`;
  return url.split('/').slice(-2).join('/');
}

function summarise(p: CpuProfile, total: number): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const parts = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const part = partOf(n.callFrame.functionName, n.callFrame.url);
    parts.set(part, (parts.get(part) ?? 0) + dt);
  });
  const busy = [...parts].filter(([k]) => k !== '(idle)').reduce((a, [, v]) => a + v, 0);
  console.log(`# where Node's time goes (V8 CPU profile of the measured pushes, ${(busy / total).toFixed(2)} ms busy per profile):`);
  for (const [k, v] of [...parts].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`#   ${((100 * v) / busy).toFixed(1).padStart(5)} %  ${(v / total).toFixed(3)} ms/profile  ${k}`);
  console.log('# hottest functions (self time):');
  for (const [k, v] of [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`#   ${((100 * v) / busy).toFixed(1).padStart(5)} %  ${k}`);
}

async function main() {
  const db = await startTestPostgres();
  const pool = new pg.Pool({ connectionString: db.url, max: CONCURRENCY + 2, idleTimeoutMillis: 0 });
  pool.on('error', (e) => console.log(`# pool error on an idle connection: ${e.message}`));
  try {
    const spanIds = Array.from({ length: PROFILES + WARMUP }, () => Array.from({ length: 8 }, () => randomBytes(8).toString('hex')));
    const pushes = spanIds.map((ids, i) => makeProfile(i, ids));
    const raw = pushes.map((b) => gunzipSync(b));
    const gz = pushes.reduce((a, b) => a + b.length, 0) / pushes.length / 1024;
    const unz = raw.reduce((a, b) => a + b.length, 0) / raw.length / 1024;
    // Every backend of the pool open, so each is counted; then warm the code and the stack cache.
    const clients = await Promise.all(Array.from({ length: CONCURRENCY + 2 }, () => pool.connect()));
    for (const c of clients) c.release();
    const t0 = Math.floor(Date.now() / 1000) - 3600;
    await pushAll(pool, pushes.slice(0, WARMUP), t0);

    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    await session.post('Profiler.start');
    const m = await measure(pool, () => pushAll(pool, pushes.slice(WARMUP), t0));
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    loop.disable();
    session.disconnect();

    line('pprof_ingest', PROFILES / m.wall, 'profiles/s', `goal ≥ 400; ${PROFILES} pushes of ${gz.toFixed(0)} KB gzipped (${unz.toFixed(0)} KB raw), ${CONCURRENCY} concurrent; load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores`);
    line('pprof_ingest_cpu', (1000 * (m.node + m.pg)) / PROFILES, 'ms CPU/profile', `node ${((1000 * m.node) / PROFILES).toFixed(2)} + postgres backends ${((1000 * m.pg) / PROFILES).toFixed(2)}`);
    line('pprof_ingest_cpu_bound', 2 / ((m.node + m.pg) / PROFILES), 'profiles/s', 'what 2 cores would reach on CPU alone, Node and Postgres in parallel');
    line('pprof_ingest_event_loop_block_max', loop.max / 1e6, 'ms', `p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms: the longest the request thread did not answer (timer lateness, includes other load)`);
    summarise(profile, PROFILES);

    // Reference, same bytes: pprof-format's decode alone (no stacks, no Postgres).
    const c0 = process.cpuUsage();
    for (const b of raw) Profile.decode(new Uint8Array(b.buffer, b.byteOffset, b.length));
    const c1 = process.cpuUsage(c0);
    const refMs = (c1.user + c1.system) / 1000 / raw.length;
    line('pprof_format_decode_only', refMs, 'ms CPU/profile', 'reference: pprof-format decoding the gunzipped bytes, nothing else');
    // The machine is shared: CPU per profile moves with its load, this ratio much less.
    line('pprof_ingest_cpu_vs_pprof_format_decode', (1000 * (m.node + m.pg)) / PROFILES / refMs, 'x', 'the whole ingest (both sides) in units of the reference decode alone; 4.8 before this decoder and store');
  } finally {
    await pool.end();
    await db.stop();
  }
}

await runBench('pprof-ingest', main);
