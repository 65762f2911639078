// "Freeze data": the answers behind a view, taken once and kept in Postgres so
// the link shows the same picture after the backends dropped the data. Pure
// selection under a size cap; the replaying is done by the caller.
import type { FrozenAnswer } from './store';

/** An answer as replayed: `error` when the route itself threw. */
export type ReplayedAnswer = FrozenAnswer & { error?: string };

export interface FreezePlan {
  kept: FrozenAnswer[];
  omitted: { key: string; reason: string }[];
}

const errorText = (body: unknown) => String((body as { error?: { message?: unknown } })?.error?.message ?? '').slice(0, 200);

const MiB = (n: number) => `${(n / 1_048_576).toFixed(n < 1_048_576 ? 2 : 1)} MiB`;

/**
 * Keeps answers in the view's order while they fit under `maxBytes`; one that
 * does not fit is left out (a later, smaller one may still fit) and named with
 * the reason. Failed answers (not 2xx, or not JSON) are left out too: a frozen
 * link shows what the backends had, not a past error.
 */
export function planFreeze(answers: readonly ReplayedAnswer[], maxBytes: number): FreezePlan {
  const kept: FrozenAnswer[] = [];
  const omitted: FreezePlan['omitted'] = [];
  let used = 0;
  for (const a of answers) {
    if (a.error) {
      omitted.push({ key: a.key, reason: `failed: ${a.error}` });
    } else if (a.status < 200 || a.status > 299 || a.body === null) {
      omitted.push({ key: a.key, reason: `answered ${a.status}${a.body === null ? ' (not JSON)' : `: ${errorText(a.body)}`}` });
    } else if (used + a.bytes > maxBytes) {
      omitted.push({ key: a.key, reason: `${MiB(a.bytes)} would pass the ${MiB(maxBytes)} cap (INCIDENT_FREEZE_MAX_BYTES)` });
    } else {
      kept.push({ key: a.key, status: a.status, body: a.body, bytes: a.bytes });
      used += a.bytes;
    }
  }
  return { kept, omitted };
}
