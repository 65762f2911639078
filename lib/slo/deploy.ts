// Where an SLO's Prometheus rules go. The Prometheus `npm start` runs
// (TRISIGHT_PROMETHEUS_RULES_DIR set) loads *.yml from a folder: we write one
// file per SLO there and POST /-/reload, so status and alerts come from
// Prometheus evaluating the rules, as in production. A remote PROMETHEUS_URL is
// someone else's server: Trisight never writes to it and offers the file for
// download instead. Without any Prometheus, there is nothing to deploy to.
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '@/lib/api-errors';
import { config, type Config } from '@/lib/config';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { BackendError } from '@/lib/model/types';
import type { SloDefinition } from './model';
import { ruleFileYaml } from './rules';

export const RULES_VERSION = 'trisight';

export type RulesDeployment = { mode: 'embedded'; dir: string } | { mode: 'remote' } | { mode: 'none' };

export function rulesDeployment(c: Pick<Config, 'PROMETHEUS_URL' | 'TRISIGHT_PROMETHEUS_RULES_DIR'> = config()): RulesDeployment {
  if (!c.PROMETHEUS_URL) return { mode: 'none' };
  if (c.TRISIGHT_PROMETHEUS_RULES_DIR) return { mode: 'embedded', dir: c.TRISIGHT_PROMETHEUS_RULES_DIR };
  return { mode: 'remote' };
}

/** What the user is told when there is no Prometheus to evaluate an SLO. */
export const NO_PROMETHEUS =
  'No Prometheus is configured, so SLO rules cannot be evaluated: start Trisight with `npm start` (it runs Prometheus unless EMBEDDED_PROMETHEUS=off) or set PROMETHEUS_URL to your Prometheus.';

const FILE_PREFIX = 'trisight-slo-';
export const ruleFileName = (sloName: string) => `${FILE_PREFIX}${sloName}.yml`;

export function ruleFileFor(d: SloDefinition): string {
  return ruleFileYaml([d], { version: RULES_VERSION });
}

export interface DeployResult {
  /** true when Prometheus reloaded with the new rules */
  loaded: boolean;
  /** why not, in the user's words */
  note?: string;
}

// One deployment at a time in this process: a reload must not pick up another
// save's half-written set, and a rollback must only undo its own file.
let queue: Promise<unknown> = Promise.resolve();
function serially<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** promtool from Prometheus' package, if installed (it is wherever Debian's prometheus is). */
function findPromtool(): string | undefined {
  // PATH is the operating system's search path, not a Trisight setting: read where it is searched.
  for (const dir of ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':').filter(Boolean)]) {
    try {
      accessSync(path.join(dir, 'promtool'), constants.X_OK);
      return path.join(dir, 'promtool');
    } catch {}
  }
  return undefined;
}

/**
 * `promtool check rules` on a candidate file: Prometheus' own parser, with its
 * own message. (A refused /-/reload only says "one or more errors occurred"; the
 * reason goes to Prometheus' log, where the user cannot see it.)
 */
async function checkRules(file: string): Promise<string | null> {
  const bin = findPromtool();
  if (!bin) return null;
  return new Promise((resolve) => {
    execFile(bin, ['check', 'rules', '--lint=none', file], { timeout: 15_000 }, (err, stdout, stderr) => {
      if (!err) return resolve(null);
      const text = `${stdout}\n${stderr}`
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !/^Checking |^FAILED:?$/.test(l))
        .join(' ');
      resolve(text.replace(file, path.basename(file)) || `promtool exited with ${err.code}`);
    });
  });
}

async function reload(client: PrometheusClient): Promise<DeployResult> {
  try {
    await client.reload();
    return { loaded: true };
  } catch (e) {
    // A rule file Prometheus refuses: its answer is a 500 with its own words. Anything else means it is not there now.
    if (e instanceof BackendError && e.errorType !== 'unavailable' && e.errorType !== 'timeout') throw e;
    return { loaded: false, note: `Prometheus did not answer the reload (${(e as Error).message}); it loads the rule file when it next starts.` };
  }
}

/**
 * Writes (or, with `def` null, removes) one SLO's rule file and reloads
 * Prometheus. When Prometheus refuses the file, the previous file comes back
 * and the error is thrown as a 422 so the caller's transaction rolls back.
 * `previousName`: the SLO's name before a rename (its old file goes).
 */
export async function deployRules(change: { def: SloDefinition | null; previousName?: string }, target: RulesDeployment = rulesDeployment(), client?: PrometheusClient): Promise<DeployResult> {
  if (target.mode === 'none') return { loaded: false, note: NO_PROMETHEUS };
  if (target.mode === 'remote') return { loaded: false, note: 'PROMETHEUS_URL is a Prometheus Trisight does not run: download the rule file and add it to its rule_files.' };
  const prom = client ?? PrometheusClient.fromConfig();
  return serially(async () => {
    mkdirSync(target.dir, { recursive: true });
    const touched = new Map<string, string | null>();
    const remember = (file: string) => {
      if (!touched.has(file)) touched.set(file, readOrNull(file));
    };
    if (change.previousName && change.previousName !== change.def?.name) {
      const old = path.join(target.dir, ruleFileName(change.previousName));
      remember(old);
      rmSync(old, { force: true });
    }
    if (change.def) {
      const file = path.join(target.dir, ruleFileName(change.def.name));
      remember(file);
      if (change.def.sli.kind === 'trace') rmSync(file, { force: true });
      else {
        // Checked under a name Prometheus does not load (*.yml only) before it replaces the live file.
        const candidate = `${file}.check`;
        writeFileSync(candidate, ruleFileFor(change.def));
        const problem = await checkRules(candidate).finally(() => rmSync(candidate, { force: true }));
        if (problem) throw new ApiError(422, `Prometheus rejected the generated rules, nothing was saved: ${problem}`);
        writeAtomically(file, ruleFileFor(change.def));
      }
    }
    try {
      return await reload(prom);
    } catch (e) {
      for (const [file, text] of touched) {
        if (text === null) rmSync(file, { force: true });
        else writeAtomically(file, text);
      }
      await reload(prom).catch(() => undefined);
      throw new ApiError(422, `Prometheus rejected the generated rules, nothing was saved: ${(e as Error).message}`);
    }
  });
}

/** Makes the folder hold exactly the given SLOs' files (start-up: the database is the truth), then reloads. */
export async function syncAllRules(defs: readonly SloDefinition[], target: RulesDeployment = rulesDeployment(), client?: PrometheusClient): Promise<DeployResult> {
  if (target.mode !== 'embedded') return deployRules({ def: null }, target, client);
  const prom = client ?? PrometheusClient.fromConfig();
  return serially(async () => {
    mkdirSync(target.dir, { recursive: true });
    const wanted = new Map(defs.filter((d) => d.sli.kind !== 'trace').map((d) => [ruleFileName(d.name), ruleFileFor(d)]));
    // The folder comes from config at run time: nothing for the bundler to trace.
    const dir = path.resolve(/*turbopackIgnore: true*/ target.dir);
    for (const f of readdirSync(dir)) if (f.startsWith(FILE_PREFIX) && f.endsWith('.yml') && !wanted.has(f)) rmSync(path.join(/*turbopackIgnore: true*/ dir, f), { force: true });
    for (const [f, text] of wanted) if (readOrNull(path.join(/*turbopackIgnore: true*/ dir, f)) !== text) writeAtomically(path.join(/*turbopackIgnore: true*/ dir, f), text);
    return reload(prom);
  });
}
