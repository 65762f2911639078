// "What changed" between two revisions: the fields whose values differ (for the
// history list) and a line diff of the two definitions as YAML (jsdiff), which
// is what a reviewer reads. Pure.
import { diffLines } from 'diff';
import YAML from 'yaml';
import type { SloDefinition } from './model';

export function definitionYaml(d: SloDefinition): string {
  return YAML.stringify(d, { lineWidth: 0, sortMapEntries: false });
}

export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** Lines of `b` against `a` (a = older). */
export function definitionDiff(a: SloDefinition, b: SloDefinition): DiffLine[] {
  const out: DiffLine[] = [];
  for (const part of diffLines(definitionYaml(a), definitionYaml(b))) {
    const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) out.push({ kind, text });
  }
  return out;
}

/** Dotted paths of the leaves that differ: ["objective", "sli.thresholdSeconds"]. */
export function changedFields(a: unknown, b: unknown, prefix = ''): string[] {
  if (a === b) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => changedFields(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(all)'];
}
