// What the SLO routes call: validate → resolve what needs Prometheus (the
// latency bucket bound) → store and deploy the rules in one transaction, so a
// save Prometheus refuses leaves nothing behind.
import { ApiError } from '@/lib/api-errors';
import { config } from '@/lib/config';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { prisma } from '@/lib/db';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { BackendError } from '@/lib/model/types';
import { deployRules, type DeployResult, rulesDeployment, syncAllRules } from './deploy';
import { importDocuments } from './import';
import { issuesText, SloDefinition } from './model';
import { type BucketChoice, latencyBucketChoice } from './sli';
import { createSlo, deleteSlo, findSloByName, getSlo, listSlos, restoreRevision, saveSlo, SloNameTaken, type StoredSlo } from './store';

/** Bad input: 400 naming each field, like badRequest() answers a zod error. */
export class SloInvalid extends ApiError {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(400, issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    this.name = 'SloInvalid';
  }
}

export function parseDefinition(input: unknown): SloDefinition {
  const r = SloDefinition.safeParse(input);
  if (!r.success) throw new SloInvalid(r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: issuesText([{ path: [], message: i.message }]) })));
  return r.data;
}

/** The `le` label values Prometheus has for a classic histogram (empty when it has none). */
export async function histogramBounds(metric: string, matchers: string, signal?: AbortSignal): Promise<string[]> {
  const sel = `${metric}_bucket${matchers.trim() ? `{${matchers}}` : ''}`;
  return PrometheusClient.fromConfig().labelValues('le', { match: [sel], range: { from: Date.now() - 7 * 86_400_000, to: Date.now() }, signal });
}

/**
 * Classic latency SLIs: picks the `le` bound from the live buckets (see
 * latencyBucketChoice) when Prometheus is there; a threshold below every
 * bucket is refused. Without Prometheus the definition is kept as given.
 */
export async function resolveLatencyBound(d: SloDefinition, signal?: AbortSignal): Promise<{ definition: SloDefinition; choice: BucketChoice | null }> {
  if (d.sli.kind !== 'latency' || d.sli.histogram !== 'classic' || !config().PROMETHEUS_URL) return { definition: d, choice: null };
  let les: string[];
  try {
    les = await histogramBounds(d.sli.metric, d.sli.matchers, signal);
  } catch (e) {
    // Not swallowed: an SLI saved without its bound would use le="<threshold>", which may match no series at all.
    if (e instanceof BackendError) throw new BackendError(e.backend, e.status, `the bucket bounds of ${d.sli.metric} (which bound the threshold uses) could not be read: ${e.message}`, e.errorType);
    throw e;
  }
  if (!les.length) return { definition: d, choice: null };
  const choice = latencyBucketChoice(d.sli.thresholdSeconds, les);
  if (!choice.le) throw new SloInvalid([{ path: 'sli.thresholdSeconds', message: choice.explanation }]);
  return { definition: { ...d, sli: { ...d.sli, le: choice.le } }, choice };
}

export interface Saved {
  slo: StoredSlo;
  rules: DeployResult;
  bucket: BucketChoice | null;
}

const TX = { timeout: 30_000, maxWait: 30_000 };

export async function createDefinition(input: unknown, meta: { author: string; message?: string }, db: PrismaClient = prisma()): Promise<Saved> {
  const { definition, choice } = await resolveLatencyBound(parseDefinition(input));
  return db.$transaction(async (tx) => {
    const slo = await createSlo(tx, definition, meta);
    const rules = await deployRules({ def: slo.definition });
    return { slo, rules, bucket: choice };
  }, TX);
}

export async function saveDefinition(id: string, input: unknown, baseRevision: number, meta: { author: string; message?: string }, db: PrismaClient = prisma()): Promise<Saved> {
  const { definition, choice } = await resolveLatencyBound(parseDefinition(input));
  return db.$transaction(async (tx) => {
    const before = await getSlo(tx, id);
    const slo = await saveSlo(tx, id, definition, baseRevision, meta);
    const rules = await deployRules({ def: slo.definition, previousName: before.name });
    return { slo, rules, bucket: choice };
  }, TX);
}

export async function restoreDefinition(id: string, revision: number, baseRevision: number, meta: { author: string; message?: string }, db: PrismaClient = prisma()): Promise<Saved> {
  return db.$transaction(async (tx) => {
    const before = await getSlo(tx, id);
    const slo = await restoreRevision(tx, id, revision, baseRevision, meta);
    const rules = await deployRules({ def: slo.definition, previousName: before.name });
    return { slo, rules, bucket: null };
  }, TX);
}

export async function deleteDefinition(id: string, db: PrismaClient = prisma()): Promise<DeployResult> {
  return db.$transaction(async (tx) => {
    const before = await getSlo(tx, id);
    await deleteSlo(tx, id);
    return deployRules({ def: null, previousName: before.name });
  }, TX);
}

/**
 * Imports every SLO of a document, or none: all are validated, names checked
 * against the stored ones, then created and deployed in one transaction.
 */
export async function importSlos(text: string, opts: { rename?: string; dryRun?: boolean }, meta: { author: string }, db: PrismaClient = prisma()) {
  const r = importDocuments(text, { rename: opts.rename });
  if (!r.ok) throw new SloInvalid(r.problems);
  const resolved: SloDefinition[] = [];
  for (const d of r.definitions) resolved.push((await resolveLatencyBound(d)).definition);
  const taken = (await Promise.all(resolved.map((d) => findSloByName(db, d.name)))).filter((s): s is StoredSlo => s !== null);
  if (taken.length) throw new SloNameTaken(taken.map((s) => s.name).join('", "'));
  if (opts.dryRun) return { format: r.format, definitions: resolved, created: [] as StoredSlo[] };
  const created = await db.$transaction(async (tx) => {
    const out: StoredSlo[] = [];
    for (const d of resolved) {
      const slo = await createSlo(tx, d, { author: meta.author, message: `imported (${r.format === 'sloth' ? 'Sloth prometheus/v1' : 'OpenSLO v1'})` });
      await deployRules({ def: slo.definition });
      out.push(slo);
    }
    return out;
  }, TX);
  return { format: r.format, definitions: resolved, created };
}

/** Start-up: the rules folder gets exactly the stored SLOs' files. */
export async function syncRulesFromDatabase(log: (m: string) => void, db: PrismaClient = prisma()): Promise<void> {
  if (rulesDeployment().mode !== 'embedded') return;
  const defs = (await listSlos(db, (name, e) => log(`SLO ${name}: stored definition unreadable (${e.message}); its rules are not loaded`))).map((s) => s.definition);
  const r = await syncAllRules(defs);
  log(r.loaded ? `SLO rules loaded into Prometheus (${defs.length} SLO${defs.length === 1 ? '' : 's'})` : `SLO rules written; ${r.note}`);
}
