// Debian packages Trisight drives for real: Chromium (e2e tests, WebGPU on its
// SwiftShader) and Prometheus with promtool (tests, and the embedded metrics store
// of `npm start`). One place decides what is missing and how to install it, for
// `npm test`, `npm start` and `.ci/run` (run this file directly to install).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface SystemTool {
  bin: string;
  pkg: string;
}

export const CHROMIUM: SystemTool = { bin: '/usr/bin/chromium', pkg: 'chromium' };
export const PROMETHEUS: SystemTool = { bin: '/usr/bin/prometheus', pkg: 'prometheus' };
export const PROMTOOL: SystemTool = { bin: '/usr/bin/promtool', pkg: 'prometheus' };

/** What the integration and e2e suites need. */
export const TEST_TOOLS: SystemTool[] = [CHROMIUM, PROMETHEUS, PROMTOOL];

export function missingPackages(tools: SystemTool[]): string[] {
  return [...new Set(tools.filter((t) => !existsSync(t.bin)).map((t) => t.pkg))];
}

export function installCommand(pkgs: string[]): string {
  return `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
}

export type InstallResult = { ok: true; installed: string[] } | { ok: false; missing: string[]; command: string; reason: string };

/**
 * Installs the packages of missing tools with apt-get when we are root on Debian,
 * printing what it does; otherwise reports the exact command for the user to run.
 */
export function installMissing(tools: SystemTool[], log: (m: string) => void = console.log): InstallResult {
  const missing = missingPackages(tools);
  if (!missing.length) return { ok: true, installed: [] };
  const cmd = installCommand(missing);
  if (process.getuid?.() !== 0) return { ok: false, missing, command: `sudo ${cmd}`, reason: 'not root' };
  if (!existsSync('/usr/bin/apt-get')) return { ok: false, missing, command: cmd, reason: 'no apt-get' };
  log(`installing missing system packages: ${cmd}`);
  // apt-get inherits the environment (PATH, proxies) and must not prompt.
  const r = spawnSync('bash', ['-c', cmd], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0 || missingPackages(tools).length) return { ok: false, missing, command: cmd, reason: `apt-get exited with ${r.status}` };
  return { ok: true, installed: missing };
}

/** For the test runner: install what is missing, or stop at once with the command. */
export function ensureSystemTools(tools: SystemTool[] = TEST_TOOLS): void {
  const r = installMissing(tools);
  if (r.ok) return;
  console.error(`Missing system packages: ${r.missing.join(', ')} (${r.reason}). Install them with:\n  ${r.command}`);
  process.exit(1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) ensureSystemTools();
