// Runs the checks (whole-tree type check and lint) and the test suites with
// node's built-in runner, and ends with one line "N passed, N failed" summed
// over everything that ran.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureSystemTools } from '../scripts/system-tools';

const SUITES = ['checks', 'unit', 'contract', 'integration', 'e2e'] as const;
type Suite = (typeof SUITES)[number];

const arg = process.argv[2] ?? 'all';
const selected: Suite[] = arg === 'all' ? [...SUITES] : SUITES.filter((s) => s === arg);
if (!selected.length) {
  console.error(`unknown suite ${JSON.stringify(arg)}; expected one of all, ${SUITES.join(', ')}`);
  process.exit(2);
}
const filter = process.argv.slice(3); // optional substrings of file paths

function findTests(dir: string): string[] {
  let out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries.sort()) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(findTests(p));
    else if (/\.test\.tsx?$/.test(e)) out.push(p);
  }
  return out;
}

// Chromium and Prometheus/promtool are driven for real; install them (as root on Debian) or say how.
ensureSystemTools();

// WebGPU in Node runs on SwiftShader from Debian's chromium package when no GPU is present.
const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  LD_LIBRARY_PATH: [process.env.LD_LIBRARY_PATH, '/usr/lib/chromium'].filter(Boolean).join(':'),
  VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json',
};

let passed = 0;
let failed = 0;
let skipped = 0;

// `next build` type-checks only what the app imports; workers/, scripts/ and test/ are checked here.
const CHECKS: { name: string; bin: string; args: string[] }[] = [
  { name: 'tsc --noEmit (whole tree)', bin: 'typescript/bin/tsc', args: ['--noEmit', '-p', '.'] },
  { name: 'biome lint', bin: '@biomejs/biome/bin/biome', args: ['lint', '.'] },
];
function runChecks(): void {
  console.log(`\n=== checks: ${CHECKS.length}`);
  let p = 0;
  let f = 0;
  for (const c of CHECKS) {
    const r = spawnSync(process.execPath, [path.resolve('node_modules', c.bin), ...c.args], { stdio: 'inherit', env });
    console.log(`${r.status === 0 ? '✔' : '✖'} ${c.name}`);
    if (r.status === 0) p++;
    else f++;
  }
  passed += p;
  failed += f;
  console.log(`=== checks: ${p} passed, ${f} failed`);
}
const tmp = mkdtempSync(path.join(os.tmpdir(), 'trisight-test-'));
try {
  for (const suite of selected) {
    if (suite === 'checks') {
      if (!filter.length) runChecks();
      continue;
    }
    let files = findTests(path.join('test', suite));
    if (filter.length) files = files.filter((f) => filter.some((s) => f.includes(s)));
    if (!files.length) continue;
    console.log(`\n=== ${suite}: ${files.length} file(s)`);
    const tap = path.join(tmp, `${suite}.tap`);
    // Integration and e2e tests start real servers; run their files one at a time.
    const concurrency = suite === 'unit' || suite === 'contract' ? os.availableParallelism() : 1;
    const r = spawnSync(
      process.execPath,
      [
        '--import', 'tsx',
        '--test',
        `--test-concurrency=${concurrency}`,
        '--test-reporter=spec', '--test-reporter-destination=stdout',
        '--test-reporter=tap', `--test-reporter-destination=${tap}`,
        ...files,
      ],
      { stdio: 'inherit', env },
    );
    let text = '';
    try {
      text = readFileSync(tap, 'utf8');
    } catch {}
    const count = (k: string) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    const p = count('pass');
    let f = count('fail') + count('cancelled');
    skipped += count('skipped') + count('todo');
    // A crashed runner with no counted failure still fails the suite.
    if (r.status !== 0 && f === 0) f = 1;
    passed += p;
    failed += f;
    console.log(`=== ${suite}: ${p} passed, ${f} failed`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
