// Which attribute keys pass untouched, which are dropped, and which have their
// values redacted — the OpenTelemetry Collector redaction processor's
// `ignored_keys` and blocked keys, with fixed-string and prefix patterns
// (`gen_ai.prompt*`) instead of regular expressions. Pure.

/** Ids and our own bookkeeping: exact by definition, and shaped like numbers the rules look for. */
export const BUILT_IN_ALLOWED_KEYS: readonly string[] = [
  'trace_id',
  'span_id',
  'profile_id',
  'pyroscope.profile.id',
  'trisight.batch.span_ids',
  'trisight.sampling.*',
  'trisight.redaction.*',
  'redaction.*',
];

/**
 * Free-text prompt and completion attributes that older GenAI instrumentations
 * record without asking (`gen_ai.prompt`, OpenLLMetry's `gen_ai.prompt.0.content`).
 * The current semantic conventions' opt-in `gen_ai.input.messages` /
 * `gen_ai.output.messages` are kept and redacted instead.
 */
export const DEFAULT_DROP_KEYS: readonly string[] = ['gen_ai.prompt*', 'gen_ai.completion*'];

export class KeyListError extends Error {}

const KEY_PATTERN = /^[A-Za-z0-9_.:/@-]+\*?$/;

/** `a.b,c.*` → patterns; `none` or empty → []. Throws KeyListError naming a malformed entry. */
export function parseKeyList(text: string): string[] {
  const out: string[] = [];
  for (const k of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (k === 'none') continue;
    if (!KEY_PATTERN.test(k)) throw new KeyListError(`not an attribute key or key prefix: ${JSON.stringify(k)} (letters, digits, _ . : / @ -, an optional trailing *)`);
    out.push(k);
  }
  return out;
}

export type KeyAction = 'keep' | 'drop' | 'redact';

/** A test for keys on a list of exact keys and `prefix*` patterns. */
export function keyMatcher(patterns: readonly string[]): (key: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith('*')));
  const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return (key) => exact.has(key) || prefixes.some((p) => key.startsWith(p));
}

/** Decides per attribute key: allowed keys are kept untouched, then dropped keys go, then values are redacted. */
export class KeyPolicy {
  private readonly allowed: (key: string) => boolean;
  private readonly dropped: (key: string) => boolean;
  // Keys repeat on every span: decide each once. Bounded against key floods.
  private decided = new Map<string, KeyAction>();

  constructor(opts: { allowed?: readonly string[]; dropped?: readonly string[] } = {}) {
    this.allowed = keyMatcher([...BUILT_IN_ALLOWED_KEYS, ...(opts.allowed ?? [])]);
    this.dropped = keyMatcher(opts.dropped ?? DEFAULT_DROP_KEYS);
  }

  action(key: string): KeyAction {
    let a = this.decided.get(key);
    if (a === undefined) {
      a = this.allowed(key) ? 'keep' : this.dropped(key) ? 'drop' : 'redact';
      if (this.decided.size >= 10_000) this.decided = new Map();
      this.decided.set(key, a);
    }
    return a;
  }
}
