// Telemetry overhead: output tokens/s of the sandbox with traces + metrics +
// CPU profiles (span-labelled) all on, versus all off, measured in the same run.
// Goal: ≤ 3% loss. Prints `name value unit` lines; never fails on speed.
//
// Each mode is a sandbox process of its own (test/bench/sandbox-process.ts), as
// `npm run sandbox` runs in production, started once and kept warm; the load
// generator, the OTLP/Pyroscope receivers and the /metrics scraper (Prometheus'
// part) live in this process, so the sandbox's CPU time (from /proc) is what its
// telemetry costs the service and nothing of the harness. Rounds alternate
// off/on (order reversed every round) so drift on a shared machine hits both.
//
// Processes differ in speed by a few per cent (how V8 happened to compile and
// place the kernels), so the set is restarted every BENCH_RESTART_EVERY rounds
// (default 6) and the per-round ratios are pooled over the sets.
//
// Figures: wall-clock tokens/s and tokens per CPU-second of the sandbox process
// (all its threads, so the profiler's sampling thread and zlib's pool count), as
// the median of the per-round on/off ratios; and the whole run's ratio of CPU
// per token, where the on-process's CPU between its rounds (profile flushes, span
// exports and sampling while it waits) counts too. On a machine shared with other
// work the wall figure swings far more than 3% between identical rounds; CPU time
// per token is the steadier measure of overhead.
//
// BENCH_BACKEND=webgpu measures the WebGPU backend (GPU timing is part of "on").
// At the end each process is left idle for 20 s: its CPU then is the fixed,
// per-second part of the cost.
// BENCH_TELEMETRY_PARTS=1 adds a process per part (traces, metrics, profiles) to
// the rounds, to see where the cost goes.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SandboxOptions } from '../../workers/sandbox/serve/index';
import { startProfiling } from '../../workers/sandbox/telemetry/profiling';
import { startSinks } from '../helpers/telemetry-sinks';
import { PRESETS } from '../../workers/sandbox/model/config';
import { generateWeights } from '../../workers/sandbox/model/weights';
import { CpuRunner } from '../../workers/sandbox/runtime/cpu';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 24);
// requests per round: 16 make a ~2 s round on the CPU backend (8 at a time, 48 tokens each)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 16);
const CONCURRENCY = 8;
const MAX_TOKENS = 48;
const RESTART_EVERY = Number(process.env.BENCH_RESTART_EVERY ?? 6);
const SCRAPE_EVERY_MS = 2000;
const IDLE_S = 20;
/** Linux clock ticks per second (sysconf(_SC_CLK_TCK)), the unit of /proc/<pid>/stat times */
const CLK_TCK = 100;

interface Proc {
  child: ChildProcess;
  url: string;
  model: string;
}

/** CPU seconds a process has used, all threads (utime + stime of /proc/<pid>/stat). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

async function startProcess(opts: SandboxOptions): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/sandbox-process.ts', JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sandbox process exited with ${code} before listening`)));
  });
  lines.on('line', (l) => console.log(`# sandbox: ${l}`));
  const { url, model } = JSON.parse(first) as { url: string; model: string };
  return { child, url, model };
}

async function stopProcess(p: Proc): Promise<void> {
  if (p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

async function load(p: Proc, scrape: boolean): Promise<{ tokens: number; seconds: number; cpuSeconds: number }> {
  let next = 0;
  let tokens = 0;
  const scraper = scrape ? setInterval(() => void fetch(`${p.url}/metrics`).then((r) => r.text()), SCRAPE_EVERY_MS) : undefined;
  const pid = p.child.pid!;
  const t0 = performance.now();
  const cpu0 = processCpuSeconds(pid);
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          const k = next++;
          const r = await fetch(`${p.url}/v1/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              model: p.model,
              prompt: `Request ${k}: summarise why the p99 latency of this service went up last night.`,
              max_tokens: MAX_TOKENS,
              temperature: 0.8,
              seed: k,
              ignore_eos: true,
              priority: k % 4 ? 'P1' : 'P0',
            }),
          });
          const j = await r.json();
          tokens += j.usage.completion_tokens;
        }
      }),
    );
  } finally {
    clearInterval(scraper);
  }
  return { tokens, seconds: (performance.now() - t0) / 1000, cpuSeconds: processCpuSeconds(pid) - cpu0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[]) => `${Math.min(...xs).toFixed(3)}..${Math.max(...xs).toFixed(3)}`;

async function main() {
  const sinks = await startSinks({ decode: false });
  const backend = process.env.BENCH_BACKEND === 'webgpu' ? 'webgpu' : 'cpu';
  console.log(`# backend ${backend}; ${ROUNDS} rounds of ${REQUESTS} requests (${CONCURRENCY} at a time, ${MAX_TOKENS} tokens each) per mode, fresh processes every ${RESTART_EVERY} rounds`);
  const base: SandboxOptions = { preset: 'tiny', backend, maxBatch: 8, maxQueue: 256, port: 0 };
  // "on" is what `npm run sandbox` does with OTEL_EXPORTER_OTLP_ENDPOINT and PYROSCOPE_SERVER_ADDRESS
  // set: default export delay, profile flush interval and adaptive sampling (P0 always, P1 falling with tokens).
  const traces = { otlpEndpoint: sinks.url };
  const profiles = { pyroscopeServerAddress: sinks.url };
  const modes: Record<string, SandboxOptions> = {
    off: { ...base, telemetry: { metrics: false }, gpuTiming: 'off' },
    on: { ...base, telemetry: { metrics: true, ...traces, ...profiles }, gpuTiming: 'auto' },
  };
  if (process.env.BENCH_TELEMETRY_PARTS === '1') {
    modes.traces = { ...base, telemetry: { metrics: false, ...traces }, gpuTiming: 'off' };
    modes.metrics = { ...base, telemetry: { metrics: true }, gpuTiming: 'off' };
    modes.profiles = { ...base, telemetry: { metrics: false, ...profiles }, gpuTiming: 'off' };
  }
  const names = Object.keys(modes);
  let procs: Record<string, Proc> = {};
  // whole run: every CPU-second each process set used after its warm-up, idle stretches included
  const wholeCpu: Record<string, number> = {};
  const cpuAtStart: Record<string, number> = {};
  const closeSet = async () => {
    for (const m of Object.keys(procs)) wholeCpu[m] = (wholeCpu[m] ?? 0) + processCpuSeconds(procs[m].child.pid!) - cpuAtStart[m];
    await Promise.allSettled(Object.values(procs).map(stopProcess));
    procs = {};
  };
  try {
    const wall: Record<string, number[]> = {};
    const perCpu: Record<string, number[]> = {};
    const tokens: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      if (round % RESTART_EVERY === 0) {
        await closeSet();
        for (const m of names) procs[m] = await startProcess(modes[m]);
        // Warm-up (JIT, first buffers) outside the measurement.
        for (const m of names) await load(procs[m], false);
        for (const m of names) cpuAtStart[m] = processCpuSeconds(procs[m].child.pid!);
      }
      const order = round % 2 ? [...names].reverse() : names;
      const notes: string[] = [];
      for (const m of order) {
        const r = await load(procs[m], modes[m].telemetry?.metrics !== false);
        (wall[m] ??= []).push(r.tokens / r.seconds);
        (perCpu[m] ??= []).push(r.tokens / r.cpuSeconds);
        tokens[m] = (tokens[m] ?? 0) + r.tokens;
        notes.push(`${m} ${(r.tokens / r.seconds).toFixed(0)} tok/s, ${(r.tokens / r.cpuSeconds).toFixed(0)} tok/CPU-s`);
      }
      console.log(`# round ${round}: ${notes.join('; ')}`);
    }
    // What each process costs while it serves nothing (profiler sampling, timers, flushes): the
    // fixed part of the overhead, which load neither adds to nor hides.
    const idle: Record<string, number> = {};
    for (const m of names) idle[m] = processCpuSeconds(procs[m].child.pid!);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    for (const m of names) idle[m] = processCpuSeconds(procs[m].child.pid!) - idle[m];
    for (const m of names) cpuAtStart[m] += idle[m]; // the whole-run figure stays the rounds' stretch
    await closeSet();
    const wholeRun = (m: string) => tokens[m] / wholeCpu[m];
    for (const m of names) console.log(`sandbox_telemetry_idle_cpu_${m} ${((idle[m] / IDLE_S) * 100).toFixed(2)} % of a core (CPU of the process over ${IDLE_S} s without requests)`);
    const pairWall = (m: string) => wall[m].map((v, i) => v / wall.off[i]);
    const pairCpu = (m: string) => perCpu[m].map((v, i) => v / perCpu.off[i]);
    console.log(`sandbox_tokens_per_s_telemetry_off ${median(wall.off).toFixed(1)} tok/s`);
    console.log(`sandbox_tokens_per_s_telemetry_on ${median(wall.on).toFixed(1)} tok/s`);
    console.log(`sandbox_tokens_per_cpu_s_telemetry_off ${median(perCpu.off).toFixed(1)} tok/CPU-s`);
    console.log(`sandbox_tokens_per_cpu_s_telemetry_on ${median(perCpu.on).toFixed(1)} tok/CPU-s`);
    for (const m of names.filter((n) => n !== 'off')) {
      const tag = m === 'on' ? '' : `_${m}_only`;
      console.log(`sandbox_telemetry${tag}_on_vs_off_wall ${median(pairWall(m)).toFixed(3)} ratio (median of ${ROUNDS} paired rounds, spread ${range(pairWall(m))})`);
      console.log(`sandbox_telemetry${tag}_on_vs_off_cpu ${median(pairCpu(m)).toFixed(3)} ratio (median of ${ROUNDS} paired rounds, spread ${range(pairCpu(m))})`);
      console.log(`sandbox_telemetry${tag}_on_vs_off_cpu_whole_run ${(wholeRun(m) / wholeRun('off')).toFixed(3)} ratio (tokens per CPU-second over the whole run, idle stretches included)`);
    }
    console.log(`sandbox_telemetry_overhead_wall ${((1 - median(pairWall('on'))) * 100).toFixed(1)} % (goal <= 3)`);
    console.log(`sandbox_telemetry_overhead_cpu ${((1 - median(pairCpu('on'))) * 100).toFixed(1)} % (goal <= 3)`);
    console.log(`sandbox_telemetry_overhead_cpu_whole_run ${((1 - wholeRun('on') / wholeRun('off')) * 100).toFixed(1)} % (goal <= 3)`);
  } finally {
    await Promise.allSettled(Object.values(procs).map(stopProcess));
  }
  // Noise-free part of the cost: one span_id label switch around a synchronous
  // section (done per prefill chunk, per batched step and per request per step).
  const prof = startProfiling({ serverAddress: sinks.url, appName: 'bench', tags: {}, flushIntervalMs: 600_000 });
  let x = 0;
  const work = () => x++;
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) prof.label('0123456789abcdef', work);
  console.log(`sandbox_profile_label_cost ${(((performance.now() - t0) * 1000) / n).toFixed(3)} us/call`);
  await prof.stop();
  await profilerOnOff(sinks.url);
  console.log(`sandbox_telemetry_exports ${sinks.counts['/v1/traces'] ?? 0} OTLP posts, ${sinks.counts['/ingest'] ?? 0} profile pushes`);
  await sinks.close();
}

/**
 * The CPU profiler's own cost without the process-to-process variance of the
 * rounds above: the model's batched decode (8 sequences, 32-token prompts to 160
 * positions) in this one process, the profiler started and stopped in alternate
 * rounds (its start, 100 Hz sampling, final flush and push all count as "on").
 */
async function profilerOnOff(serverAddress: string): Promise<void> {
  const rounds = Number(process.env.BENCH_PROFILER_ROUNDS ?? 12);
  const runner = new CpuRunner(generateWeights(PRESETS.tiny, 1), 'tiny');
  const prompt = Int32Array.from({ length: 32 }, (_, i) => (i * 7) % 250);
  const decode = async () => {
    const seqs = Array.from({ length: 8 }, () => runner.allocSequence());
    for (const s of seqs) await runner.prefill(s, prompt);
    while (seqs[0].length < 160) await runner.decode(seqs.map((s) => ({ seq: s, token: 5 })));
    for (const s of seqs) runner.freeSequence(s);
  };
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  await decode(); // JIT warm-up
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const cost: Record<'on' | 'off', number> = { on: 0, off: 0 };
    for (const mode of r % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const c0 = cpuMs();
      const prof = mode === 'on' ? startProfiling({ serverAddress, appName: 'bench', tags: {}, flushIntervalMs: 600_000 }) : null;
      for (let k = 0; k < 3; k++) await (prof ? prof.label('0123456789abcdef', decode) : decode());
      await prof?.stop();
      cost[mode] = cpuMs() - c0;
    }
    ratios.push(cost.on / cost.off);
  }
  console.log(`sandbox_profiler_overhead_in_process ${((median(ratios) - 1) * 100).toFixed(2)} % of the decode's CPU (median of ${rounds} alternating rounds, spread ${range(ratios.map((x) => (x - 1) * 100))} %)`);
}

await main();
