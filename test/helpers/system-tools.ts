import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** System programs the integration and e2e suites drive for real. */
export const SYSTEM_TOOLS = [
  { bin: '/usr/bin/chromium', pkg: 'chromium' },
  { bin: '/usr/bin/prometheus', pkg: 'prometheus' },
  { bin: '/usr/bin/promtool', pkg: 'prometheus' },
];

/**
 * Installs missing tools with apt-get when we are root on Debian; otherwise
 * stops at once with the exact command to run.
 */
export function ensureSystemTools(): void {
  const missing = [...new Set(SYSTEM_TOOLS.filter((t) => !existsSync(t.bin)).map((t) => t.pkg))];
  if (!missing.length) return;
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    console.error(`Missing system tools: ${missing.join(', ')}. Install them with:\n  sudo ${cmd}`);
    process.exit(1);
  }
  console.log(`Installing missing system tools: ${missing.join(', ')}`);
  const r = spawnSync('bash', ['-c', cmd], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`Could not install ${missing.join(', ')}; run:\n  sudo ${cmd}`);
    process.exit(1);
  }
  execFileSync('/usr/bin/prometheus', ['--version'], { stdio: 'ignore' });
}
