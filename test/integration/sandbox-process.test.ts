// `npm run sandbox` as a process: env validation (one line, exit 2), and SIGTERM
// draining an in-flight request and flushing spans and the last profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { startSinks } from '../helpers/telemetry-sinks';

const MAIN = 'workers/sandbox/main.ts';

test('bad environment: one clear line and exit code 2', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, SANDBOX_PRESET: 'huge', SANDBOX_PORT: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 2);
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('sandbox:'));
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^sandbox: invalid environment: SANDBOX_PRESET: /);
});

test('SIGTERM drains the in-flight request, then flushes traces and the profile', { timeout: 60_000 }, async () => {
  const sinks = await startSinks();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      SANDBOX_PORT: '0',
      SANDBOX_BACKEND: 'cpu',
      OTEL_EXPORTER_OTLP_ENDPOINT: sinks.url,
      PYROSCOPE_SERVER_ADDRESS: sinks.url,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (c) => reject(new Error(`sandbox exited early with ${c}`)));
    });
    const inflight = fetch(`${url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'trisight-tiny', prompt: 'in flight', max_tokens: 80, priority: 'P0', ignore_eos: true }),
    });
    // Wait until the request is being decoded, then ask the process to stop.
    for (;;) {
      const h = await (await fetch(`${url}/healthz`)).json();
      if (h.running > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGTERM');
    const r = await inflight;
    assert.equal(r.status, 200);
    assert.equal((await r.json()).usage.completion_tokens, 80);
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    // Flushed on the way out: the request's spans and the final profile pushes, CPU
    // and heap (the periodic push interval, 15 s, never elapsed).
    assert.ok(sinks.spans.some((s) => s.name === 'text_completion trisight-tiny'));
    const kinds = sinks.profiles.map((p) => p.profile.stringTable.strings[Number(p.profile.sampleType.at(-1)!.type)]).sort();
    assert.deepEqual(kinds, ['cpu', 'inuse_space']);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await sinks.close();
  }
});
