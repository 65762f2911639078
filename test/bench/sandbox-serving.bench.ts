// The sandbox's serving benchmark in vLLM benchmark_serving terms: N streamed requests at
// concurrency C against the real sandbox (startSandbox, CPU/auto backend, metrics on,
// traces and profiles off), for the tiny and small presets. The reference measured in
// the same run is concurrency 1, so the ratio shows what continuous batching buys.
// Uses the same load code as the dashboard's load runs (workers/loadgen).
import { startSandbox } from '../../workers/sandbox/serve/index';
import { LoadParams, type LoadParamsInput } from '../../workers/loadgen/params';
import { formatReport, type BenchmarkReport } from '../../workers/loadgen/report';
import { runLoad } from '../../workers/loadgen/run';

interface Case {
  preset: 'tiny' | 'small';
  requests: number;
  concurrency: number;
  refRequests: number;
  maxTokens: number;
  slo: { ttftMs: number; tpotMs: number };
}

// Sized so the whole file stays under ~2 minutes on 2 shared cores.
const CASES: Case[] = [
  { preset: 'tiny', requests: 64, concurrency: 8, refRequests: 16, maxTokens: 32, slo: { ttftMs: 500, tpotMs: 50 } },
  { preset: 'small', requests: 12, concurrency: 4, refRequests: 4, maxTokens: 16, slo: { ttftMs: 3000, tpotMs: 250 } },
];

const base: Omit<LoadParamsInput, 'requests' | 'concurrency' | 'maxTokens'> = {
  promptLength: { mode: 'range', min: 32, max: 128 },
  temperature: 0.7,
  p0Fraction: 0.2,
  seed: 42,
  // A guard, not part of the measurement: a capped run says so below.
  maxDurationS: 60,
};

function print(name: string, value: number, unit: string) {
  console.log(`${name} ${Number.isFinite(value) ? value.toFixed(2) : 'NaN'} ${unit}`);
}

function lines(prefix: string, r: BenchmarkReport) {
  print(`${prefix}.completed`, r.completed, 'requests');
  print(`${prefix}.failed`, r.failed, 'requests');
  print(`${prefix}.request_throughput`, r.requestThroughput, 'req/s');
  print(`${prefix}.output_throughput`, r.outputThroughput, 'tok/s');
  print(`${prefix}.total_token_throughput`, r.totalTokenThroughput, 'tok/s');
  for (const [k, s] of [['ttft', r.ttftMs], ['tpot', r.tpotMs], ['itl', r.itlMs], ['e2e', r.e2eMs]] as const) {
    if (!s) continue;
    print(`${prefix}.${k}_mean`, s.mean, 'ms');
    print(`${prefix}.${k}_median`, s.median, 'ms');
    print(`${prefix}.${k}_p99`, s.p99, 'ms');
  }
  if (r.goodput !== null) {
    print(`${prefix}.goodput`, r.goodput, 'req/s');
    print(`${prefix}.goodput_ratio`, r.goodputRatio ?? NaN, 'fraction');
  }
}

for (const c of CASES) {
  const sandbox = await startSandbox({ preset: c.preset, backend: 'auto', maxBatch: 8, maxQueue: 64 });
  try {
    const health = (await (await fetch(`${sandbox.url}/healthz`)).json()) as { backend?: string; adapter?: { name?: string } };
    console.log(`# preset ${c.preset}, backend ${health.backend ?? '?'}${health.adapter?.name ? ` (${health.adapter.name})` : ''}`);
    // Warm-up: first-call costs (JIT, buffers) stay out of both measurements.
    const load = (requests: number, concurrency: number) =>
      runLoad({ baseUrl: sandbox.url, params: LoadParams.parse({ ...base, maxTokens: c.maxTokens, requests, concurrency, slo: c.slo }), sendPriority: true });
    await load(2, 2);
    const ref = await load(c.refRequests, 1);
    const run = await load(c.requests, c.concurrency);
    console.log(formatReport(run.report, `${c.preset}: ${c.requests} requests, concurrency ${c.concurrency}`));
    for (const [k, r] of [['c1', ref], [`c${c.concurrency}`, run]] as const) {
      if (r.stopReason !== 'completed') console.log(`!! ${c.preset} ${k} stopped by ${r.stopReason}; ${r.aborted} request(s) not completed`);
    }
    console.log(`goodput targets: TTFT ≤ ${c.slo.ttftMs} ms, TPOT ≤ ${c.slo.tpotMs} ms`);
    lines(`sandbox_serving.${c.preset}.c1`, ref.report);
    lines(`sandbox_serving.${c.preset}.c${c.concurrency}`, run.report);
    print(`sandbox_serving.${c.preset}.output_throughput_ratio_c${c.concurrency}_vs_c1`, run.report.outputThroughput / ref.report.outputThroughput, 'x');
    print(`sandbox_serving.${c.preset}.tpot_median_ratio_c${c.concurrency}_vs_c1`, (run.report.tpotMs?.median ?? NaN) / (ref.report.tpotMs?.median ?? NaN), 'x');
  } finally {
    await sandbox.close();
  }
}
