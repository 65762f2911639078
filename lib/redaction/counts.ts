// How a redacted record says what was taken out: counts, never values. The
// two totals are the attribute names the OpenTelemetry Collector's redaction
// processor writes; the per-kind counts are ours. Pure.

import { PII_KINDS, type PiiKind } from './rules';
import { totalCount, type PiiCounts } from './text';

export const REDACTION_ATTRIBUTES = {
  /** identifiers masked in the record's name, attributes and events */
  masked: 'redaction.masked.count',
  /** attributes dropped by key (REDACTION_DROP_KEYS) */
  dropped: 'redaction.redacted.count',
  /** identifiers of one kind masked, e.g. trisight.redaction.phone */
  kind: (k: PiiKind) => `trisight.redaction.${k.toLowerCase()}`,
} as const;

/**
 * The count attributes for a record, added to what `existing` already
 * records (a span the sandbox redacted is counted again by the receiver only
 * for what the receiver finds). Only non-zero counts appear.
 */
export function countAttributes(counts: PiiCounts, dropped = 0, existing: Readonly<Record<string, unknown>> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (key: string, n: number) => {
    if (!n) return;
    const prev = existing[key];
    out[key] = (typeof prev === 'number' && Number.isFinite(prev) ? prev : 0) + n;
  };
  add(REDACTION_ATTRIBUTES.masked, totalCount(counts));
  add(REDACTION_ATTRIBUTES.dropped, dropped);
  for (const k of PII_KINDS) add(REDACTION_ATTRIBUTES.kind(k), counts[k]);
  return out;
}
