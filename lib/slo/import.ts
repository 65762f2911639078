// Import of SLO documents: OpenSLO v1 (multi-document YAML, a JSON object or a
// JSON array) or Sloth prometheus/v1. Everything is parsed and validated before
// anything is stored; every problem names the path of the field in the
// document it came from. Pure.
import YAML from 'yaml';
import { issuesText, SloDefinition, type TimeWindow } from './model';
import { fromOpenSLO, originOf } from './openslo';
import { fromSloth, type ImportProblem } from './sloth';

/** A YAML document set of a few SLOs is a few KiB; this bounds parser work per request. */
export const MAX_IMPORT_BYTES = 256 * 1024;

export type ImportFormat = 'openslo' | 'sloth';
export type ImportResult = { ok: true; format: ImportFormat; definitions: SloDefinition[] } | { ok: false; problems: ImportProblem[] };

/** YAML (one or more documents) or JSON → plain values; a syntax error names its line. */
export function parseDocuments(text: string): { ok: true; docs: unknown[] } | { ok: false; problems: ImportProblem[] } {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_IMPORT_BYTES) return { ok: false, problems: [{ path: 'body', message: `the document is ${Math.round(bytes / 1024)} KiB; at most ${MAX_IMPORT_BYTES / 1024} KiB can be imported at once` }] };
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, problems: [{ path: 'body', message: 'the document is empty: paste OpenSLO YAML or JSON, or a Sloth spec' }] };
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const v = JSON.parse(trimmed);
      return { ok: true, docs: Array.isArray(v) ? v : [v] };
    } catch (e) {
      return { ok: false, problems: [{ path: 'body', message: `not valid JSON: ${(e as Error).message}` }] };
    }
  }
  // No aliases beyond a small count: a "billion laughs" document must not expand.
  const docs = YAML.parseAllDocuments(trimmed, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const problems: ImportProblem[] = [];
  list.forEach((d, i) => {
    for (const e of d.errors) problems.push({ path: `documents[${i}]`, message: `YAML: ${e.message.split('\n')[0]}` });
  });
  if (problems.length) return { ok: false, problems };
  return { ok: true, docs: list.map((d) => d.toJS({ maxAliasCount: 50 })).filter((d) => d !== null && d !== undefined) };
}

function formatOf(docs: unknown[]): ImportFormat | null {
  const first = docs[0] as Record<string, unknown> | undefined;
  if (!first || typeof first !== 'object') return null;
  if (first.version === 'prometheus/v1' || first.apiVersion === 'sloth.slok.dev/v1') return 'sloth';
  if (typeof first.apiVersion === 'string' && first.apiVersion.startsWith('openslo/')) return 'openslo';
  return null;
}

/**
 * Parses and validates a document into definitions, all or nothing. `rename`
 * gives a single imported SLO a new name (import a copy beside the original).
 */
export function importDocuments(text: string, opts: { rename?: string; slothWindow?: TimeWindow } = {}): ImportResult {
  const parsed = parseDocuments(text);
  if (!parsed.ok) return parsed;
  const format = formatOf(parsed.docs);
  if (!format) return { ok: false, problems: [{ path: 'documents[0].apiVersion', message: 'not an OpenSLO document (apiVersion: openslo/v1) or a Sloth spec (version: prometheus/v1)' }] };
  if (format === 'openslo' && (parsed.docs[0] as { apiVersion: string }).apiVersion !== 'openslo/v1') {
    return { ok: false, problems: [{ path: 'documents[0].apiVersion', message: `only openslo/v1 is supported, not ${(parsed.docs[0] as { apiVersion: string }).apiVersion}` }] };
  }
  let candidates: { definition: unknown; origin: (p: string) => string }[];
  if (format === 'sloth') {
    if (parsed.docs.length !== 1) return { ok: false, problems: [{ path: 'documents', message: 'import one Sloth spec at a time' }] };
    const r = fromSloth(parsed.docs[0], { window: opts.slothWindow });
    if (!r.ok) return r;
    const k8s = (parsed.docs[0] as { apiVersion?: string }).apiVersion === 'sloth.slok.dev/v1' ? 'spec.' : '';
    candidates = r.definitions.map((definition, i) => ({ definition, origin: (p) => slothOrigin(p, i, k8s) }));
  } else {
    const r = fromOpenSLO(parsed.docs);
    if (!r.ok) return r;
    candidates = r.imported.map((x) => ({ definition: x.definition, origin: (p) => originOf(x.origin, p) }));
  }
  if (opts.rename !== undefined) {
    if (candidates.length !== 1) return { ok: false, problems: [{ path: 'name', message: `a new name applies to one SLO; this document has ${candidates.length}` }] };
    candidates[0].definition = { ...(candidates[0].definition as object), name: opts.rename };
    candidates[0].origin = (p) => (p === 'name' ? 'name' : candidates[0].origin(p));
  }
  const problems: ImportProblem[] = [];
  const definitions: SloDefinition[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const r = SloDefinition.safeParse(c.definition);
    if (!r.success) {
      for (const issue of r.error.issues) problems.push({ path: c.origin(issue.path.map(String).join('.')), message: issuesText([{ path: [], message: issue.message }]) });
      continue;
    }
    if (seen.has(r.data.name)) problems.push({ path: c.origin('name'), message: `the name ${JSON.stringify(r.data.name)} appears twice in this document` });
    seen.add(r.data.name);
    definitions.push(r.data);
  }
  return problems.length ? { ok: false, problems } : { ok: true, format, definitions };
}

/** Model path → Sloth document path (see sloth.ts for the mapping). */
function slothOrigin(modelPath: string, i: number, prefix: string): string {
  const map: [string, string][] = [
    ['sli.bad', `slos[${i}].sli.events.error_query`],
    ['sli.total', `slos[${i}].sli.events.total_query`],
    ['sli.errorRatio', `slos[${i}].sli.raw.error_ratio_query`],
    ['service', 'service'],
    ['alerting.name', `slos[${i}].alerting.name`],
    ['alerting.page', `slos[${i}].alerting.page_alert`],
    ['alerting.ticket', `slos[${i}].alerting.ticket_alert`],
    ['alerting', `slos[${i}].alerting`],
  ];
  for (const [model, doc] of map) if (modelPath === model || modelPath.startsWith(`${model}.`)) return prefix + doc + modelPath.slice(model.length);
  return `${prefix}slos[${i}].${modelPath}`;
}
