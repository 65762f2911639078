// Users for tests of built-in sign-in, made the way an operator makes them
// (`npm run user -- add`, password on standard input), and signed in over HTTP.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { rawRequest } from './raw-http';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** Runs `npm run user -- <args>` against the data dir of a running (or stopped) app; returns its output, throws on failure. */
export function userCli(dataDir: string, args: string[], stdin = ''): string {
  const env: NodeJS.ProcessEnv = { ...process.env, TRISIGHT_DATA_DIR: dataDir, AUTH_MODE: 'builtin' };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/user.ts', ...args], { cwd: repoRoot, env, input: stdin, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`npm run user -- ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export interface Session {
  /** the Cookie header to send */
  cookie: string;
  csrf: string;
}

/** Signs in through POST /api/auth/signin as the sign-in page does. */
export async function signIn(appUrl: string, name: string, password: string): Promise<Session> {
  const res = await rawRequest(`${appUrl}/api/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: appUrl },
    body: JSON.stringify({ name, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${name}: ${res.status} ${res.body}`);
  const cookies = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]);
  const csrf = cookies.find((c) => c.startsWith('trisight_csrf='))?.split('=')[1] ?? '';
  return { cookie: cookies.join('; '), csrf };
}
