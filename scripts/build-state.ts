// When `npm start` (and the e2e harness) must rebuild the Next.js app: on first
// run, and whenever anything the build bundles is newer than the last build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

// workers/ is bundled too: the load-run service imports the load generator.
const SOURCE_DIRS = ['app', 'components', 'lib', 'public', 'workers'];
const SOURCE_FILES = ['next.config.js', 'postcss.config.mjs', 'tsconfig.json', 'tsconfig.app.json', 'package-lock.json', 'instrumentation.ts', 'proxy.ts'];

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    // lib/generated is rewritten by every `npm ci` (prisma generate) without changing.
    if (e.name === 'node_modules' || e.name === 'generated' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function buildIsStale(root: string): boolean {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const files = SOURCE_FILES.map((f) => path.join(root, f)).filter(existsSync);
  return SOURCE_DIRS.some((d) => newestMtime(path.join(root, d)) > built) || files.some((f) => statSync(f).mtimeMs > built);
}
