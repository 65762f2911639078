// lib/redaction is shared by the app and the sandbox (a separate process that
// imports nothing else of the app): its core imports nothing outside itself,
// and the sandbox reaches into lib/ only through it.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const CORE = ['index.ts', 'checks.ts', 'rules.ts', 'text.ts', 'counts.ts', 'keys.ts'];

function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm), ...src.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('the core of lib/redaction imports only its own files', () => {
  for (const f of CORE) {
    for (const spec of importsOf(path.join(root, 'lib/redaction', f))) {
      assert.match(spec, /^\.\/[a-z-]+$/, `lib/redaction/${f} imports ${spec}`);
      assert.ok(CORE.includes(`${spec.slice(2)}.ts`), `lib/redaction/${f} imports ${spec}, which is not part of the core`);
    }
  }
});

test('the sandbox imports nothing from lib/ but lib/redaction', () => {
  const sandbox = path.join(root, 'workers/sandbox');
  let uses = 0;
  for (const f of tsFiles(sandbox)) {
    for (const spec of importsOf(f)) {
      assert.ok(!spec.startsWith('@/'), `${path.relative(root, f)} imports ${spec} (the sandbox does not use the app's path alias)`);
      if (!spec.startsWith('.')) continue;
      const target = path.relative(root, path.resolve(path.dirname(f), spec));
      if (target.startsWith('workers/sandbox')) continue;
      assert.equal(target, 'lib/redaction', `${path.relative(root, f)} imports ${spec}`);
      uses++;
    }
  }
  assert.ok(uses > 0, 'the sandbox redacts with lib/redaction');
});
