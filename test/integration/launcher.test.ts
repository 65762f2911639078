// `npm start` as users run it, against real processes: embedded Postgres and
// Prometheus, the app, the sandbox. What a chaos test would try: a child killed
// with -9 comes back, Ctrl-C to the whole group leaves nothing behind, a start
// after the launcher itself was killed finds and stops its orphans, and a port
// held by somebody else is named instead of being called ready.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../../lib/db/embedded';
import { isSameProcess, readRecord, type RecordedProcess } from '../../scripts/launcher/run-record';
import { portIsFree } from '../../scripts/launcher/ports';
import { startApp } from '../helpers/app';
import { until as waitUntil } from '../helpers/until';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

function children(dataDir: string): Record<string, RecordedProcess> {
  return Object.fromEntries((readRecord(dataDir)?.children ?? []).map((c) => [c.name, c]));
}

/** The TCP port a recorded child listens on, from its own command line. */
function listenPort(pid: number): number {
  const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const flag = cmd.find((a) => a.startsWith('--web.listen-address='));
  if (flag) return Number(flag.split(':').pop());
  const p = cmd.indexOf('-p');
  return Number(cmd[p + 1]);
}

/** Restarts and shutdowns take longer than the shared default. */
const until = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000) => waitUntil(what, fn, timeoutMs);

async function promQuery(promPort: number, q: string): Promise<number | undefined> {
  const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
  const v = body.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

test('npm start supervises Postgres, Prometheus, the app and the sandbox; kill -9 of one brings it back; Ctrl-C leaves nothing', async () => {
  const app = await startApp();
  cleanups.push(() => app.stop());
  const rec = children(app.dataDir);
  assert.deepEqual(Object.keys(rec), ['postgres', 'prometheus', 'app', 'sandbox'], 'started in order');

  // Status: the embedded Prometheus by name, and no internal address on the page's API.
  const health = (await (await fetch(`${app.url}/api/health`)).json()) as { components: { name: string; label: string; state: string; target?: string }[] };
  const prom = health.components.find((c) => c.name === 'prometheus')!;
  assert.equal(prom.state, 'embedded');
  assert.match(prom.label, /^embedded Prometheus 2\.\d+ \(local\)$/);
  assert.equal(prom.target, undefined);
  assert.equal(health.components.find((c) => c.name === 'postgres')!.target, undefined);

  // It scrapes the sandbox and the app's own /metrics (route latencies from Next.js's spans).
  const promPort = listenPort(rec.prometheus.pid);
  await until('both scrape targets up', async () => ((await promQuery(promPort, 'sum(up{job=~"sandbox|trisight"})')) === 2 ? true : undefined));
  await fetch(`${app.url}/api/runs?limit=1`);
  await until('route latency of /api/runs scraped', async () =>
    (await promQuery(promPort, 'sum(trisight_http_server_request_duration_seconds_count{route="/api/runs",method="GET"})')) ? true : undefined,
  );

  // kill -9 of Postgres while serving: restarted, and the app reconnects without a restart of its own.
  // (A backend of the killed postmaster can still answer a query or two, so the new pid is waited for first.)
  process.kill(rec.postgres.pid, 'SIGKILL');
  await until('a new postgres', async () => (children(app.dataDir).postgres.pid !== rec.postgres.pid ? true : undefined));
  await until('a database-backed API answers again', async () => ((await fetch(`${app.url}/api/runs?limit=1`)).status === 200 ? true : undefined));
  const after1 = children(app.dataDir);
  assert.equal(after1.app.pid, rec.app.pid, 'the app itself was not restarted');
  assert.match(app.log(), /postgres exited unexpectedly \(SIGKILL\); restarting/);

  // kill -9 of the sandbox: restarted on its port.
  process.kill(rec.sandbox.pid, 'SIGKILL');
  await until('the sandbox restarted', async () => (children(app.dataDir).sandbox.pid !== rec.sandbox.pid ? true : undefined));
  const sandboxHealth = (await (await fetch(`${app.url}/api/health`)).json()) as { components: { name: string; state: string }[] };
  assert.equal(sandboxHealth.components.find((c) => c.name === 'sandbox')!.state, 'connected');

  // kill -9 of Prometheus: its TSDB lock is recovered and it comes back on the same port with its data.
  process.kill(rec.prometheus.pid, 'SIGKILL');
  await until('Prometheus restarted and scraping', async () =>
    children(app.dataDir).prometheus.pid !== rec.prometheus.pid && (await promQuery(promPort, 'sum(up{job="sandbox"})')) === 1 ? true : undefined,
  );
  assert.ok((await promQuery(promPort, 'count_over_time(up{job="trisight"}[10m])'))! > 1, 'samples from before the kill are still there');

  // Ctrl-C in a terminal: SIGINT to the launcher's whole process group.
  const final = Object.values(children(app.dataDir));
  const ports = final.filter((c) => c.name === 'postgres' || c.name === 'prometheus').map((c) => listenPort(c.pid));
  process.kill(-app.pid, 'SIGINT');
  assert.equal(await app.exited, 0);
  for (const c of final) assert.equal(isSameProcess(c), false, `${c.name} (pid ${c.pid}) still running after Ctrl-C`);
  for (const p of [...ports, Number(new URL(app.url).port)]) assert.equal(await portIsFree(p), true, `port ${p} still listening`);
  const order = [...app.log().matchAll(/(sandbox: SIGTERM|Received SIGTERM|\[trisight\] stopped)/g)].map((m) => m[1]);
  assert.deepEqual(order, ['sandbox: SIGTERM', 'Received SIGTERM', '[trisight] stopped'], 'sandbox, then Prometheus, then the end');
});

test('a start after kill -9 of the launcher stops what it left running, and only calls its own processes ready', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'trisight-relaunch-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const first = await startApp({ dataDir, env: { PORT: String(port) } });
  const orphans = Object.values(children(dataDir));
  await first.killLauncher();
  assert.ok(orphans.every(isSameProcess), 'children outlive a kill -9 of the launcher');

  const second = await startApp({ dataDir, env: { PORT: String(port) } });
  cleanups.push(() => second.stop());
  for (const o of orphans) {
    assert.equal(isSameProcess(o), false, `${o.name} (pid ${o.pid}) from the killed start is gone`);
    assert.match(second.log(), new RegExp(`stopping ${o.name} \\(pid ${o.pid}\\) left running by an earlier start`));
  }
  assert.equal(second.url, `http://127.0.0.1:${port}`);
  assert.equal((await fetch(`${second.url}/api/runs?limit=1`)).status, 200);
  await second.stop();
});

test('a port held by another process is named, and the start fails instead of calling it ready', async () => {
  const squatter = net.createServer((s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
  await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise((r) => squatter.close(() => r())));
  const port = (squatter.address() as net.AddressInfo).port;
  await assert.rejects(startApp({ env: { PORT: String(port) } }), (e: Error) => {
    assert.match(e.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use by pid ${process.pid} `));
    assert.doesNotMatch(e.message, /Trisight ready/);
    return true;
  });
});
