// Runs every test/bench/**/*.bench.ts in turn. Benchmarks print `name value unit`
// lines (and ratios against a reference measured in the same run); they never
// fail on speed. `npm run bench -- flame` runs only files whose path matches.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function find(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((e) => {
      const p = path.join(dir, e);
      return statSync(p).isDirectory() ? find(p) : /\.bench\.tsx?$/.test(e) ? [p] : [];
    });
}

const filter = process.argv.slice(2);
const files = find('test/bench').filter((f) => !filter.length || filter.some((s) => f.includes(s)));
const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  LD_LIBRARY_PATH: [process.env.LD_LIBRARY_PATH, '/usr/lib/chromium'].filter(Boolean).join(':'),
  VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json',
};
let broken = 0;
for (const f of files) {
  console.log(`\n## ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', f], { stdio: 'inherit', env });
  if (r.status !== 0) {
    broken++;
    console.log(`!! ${f} exited with ${r.status}`);
  }
}
process.exit(broken ? 1 : 0);
