// The load form's state as it lives in the URL (so a form is a link), and its
// translation into the POST /api/runs body. Pure: used by the page and tested alone.
import { CreateRunBody } from './schema';
import { contextIssues } from './limits';
import { describeIssues, type Issue } from '@/lib/loadgen/params';

export interface LoadForm {
  target: string;
  requests: string;
  concurrency: string;
  prompt: 'fixed' | 'range';
  promptTokens: string;
  promptMin: string;
  promptMax: string;
  /** prompt kinds in percent: natural text, one word repeated, random bytes */
  mixNatural: string;
  mixRepeated: string;
  mixRandom: string;
  maxTokens: string;
  temperature: string;
  /** P0 share in percent */
  p0: string;
  seed: string;
  /** overall time cap, s */
  maxDuration: string;
  /** goodput targets, ms; empty = none */
  sloTtftMs: string;
  sloTpotMs: string;
}

export const DEFAULT_FORM: LoadForm = {
  target: 'sandbox',
  requests: '100',
  concurrency: '8',
  prompt: 'range',
  promptTokens: '128',
  promptMin: '32',
  // 192 + 32 output tokens fit the bundled tiny preset's 256-token context.
  promptMax: '192',
  mixNatural: '100',
  mixRepeated: '0',
  mixRandom: '0',
  maxTokens: '32',
  temperature: '0.7',
  p0: '20',
  seed: '1',
  maxDuration: '600',
  sloTtftMs: '',
  sloTpotMs: '',
};

const KEYS = Object.keys(DEFAULT_FORM) as (keyof LoadForm)[];

export function formFromSearch(get: (k: string) => string | null): LoadForm {
  const f = { ...DEFAULT_FORM };
  for (const k of KEYS) {
    const v = get(k);
    if (v === null) continue;
    if (k === 'prompt') f.prompt = v === 'fixed' ? 'fixed' : 'range';
    else f[k] = v.slice(0, 200);
  }
  return f;
}

/** Only what differs from the defaults, so links stay short. */
export function formToSearch(f: LoadForm): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of KEYS) if (f[k] !== DEFAULT_FORM[k]) p.set(k, f[k]);
  return p;
}

const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s));

export function formToBody(f: LoadForm): Record<string, unknown> {
  const p0 = num(f.p0);
  return {
    target: f.target,
    requests: num(f.requests),
    concurrency: num(f.concurrency),
    promptLength: f.prompt === 'fixed' ? { mode: 'fixed', tokens: num(f.promptTokens) } : { mode: 'range', min: num(f.promptMin), max: num(f.promptMax) },
    promptMix: { natural: num(f.mixNatural), repeated: num(f.mixRepeated), random: num(f.mixRandom) },
    maxTokens: num(f.maxTokens),
    temperature: num(f.temperature),
    p0Fraction: p0 === undefined ? undefined : p0 / 100,
    seed: num(f.seed),
    maxDurationS: num(f.maxDuration),
    slo: { ttftMs: num(f.sloTtftMs), tpotMs: num(f.sloTpotMs) },
  };
}

/** The form field an API issue belongs to (undefined: the form as a whole). */
export function fieldOf(path: string): keyof LoadForm | undefined {
  const map: Record<string, keyof LoadForm> = {
    'promptLength.tokens': 'promptTokens',
    'promptLength.min': 'promptMin',
    'promptLength.max': 'promptMax',
    'promptMix.natural': 'mixNatural',
    'promptMix.repeated': 'mixRepeated',
    'promptMix.random': 'mixRandom',
    promptMix: 'mixNatural',
    p0Fraction: 'p0',
    maxDurationS: 'maxDuration',
    'slo.ttftMs': 'sloTtftMs',
    'slo.tpotMs': 'sloTpotMs',
  };
  if (map[path]) return map[path];
  return (KEYS as string[]).includes(path) ? (path as keyof LoadForm) : undefined;
}

export type FormErrors = Partial<Record<keyof LoadForm | 'form', string>>;

/** The API's field paths as the form names them, for messages shown away from their field. */
const LABELS: Record<string, string> = {
  requests: 'Requests',
  concurrency: 'Concurrency',
  'promptLength.tokens': 'Prompt tokens',
  'promptLength.min': 'Min',
  'promptLength.max': 'Max',
  'promptMix.natural': 'Natural text',
  'promptMix.repeated': 'Repeated word',
  'promptMix.random': 'Random bytes',
  maxTokens: 'Max tokens',
  temperature: 'Temperature',
  p0Fraction: 'P0 share',
  seed: 'Seed',
  maxDurationS: 'Time cap',
  'slo.ttftMs': 'the TTFT target',
  'slo.tpotMs': 'the TPOT target',
  target: 'Target',
};

/**
 * An API issue in the form's words: shown under its field, so the field's own
 * path ("maxTokens: …", "promptLength.min must …") is dropped, and other
 * fields are called by their labels.
 */
export function formMessage(i: Issue): string {
  let m = i.message;
  if (i.path && m.startsWith(i.path)) m = m.slice(i.path.length).replace(/^:\s*/, '').trimStart();
  for (const [path, label] of Object.entries(LABELS)) m = m.split(path).join(label);
  return m ? m[0].toUpperCase() + m.slice(1) : m;
}

export function errorsByField(issues: readonly Issue[]): FormErrors {
  const out: FormErrors = {};
  for (const i of issues) {
    const field = fieldOf(i.path) ?? 'form';
    // The P0 share is typed in percent; say it in the form's terms.
    const message =
      field === 'p0'
        ? 'From 0 to 100 %'
        : i.path === 'promptMix'
          ? 'The three shares must add up to 100 %'
          : field === 'form'
            ? i.message
            : formMessage(i);
    out[field] ??= message;
  }
  return out;
}

/**
 * Client-side check with the server's own schema (target names are checked by
 * the server) and, when the target's context length is known, whether the
 * longest prompt plus max tokens fits it.
 */
export function validateForm(f: LoadForm, maxModelLen?: number | null): FormErrors {
  const r = CreateRunBody.safeParse(formToBody(f));
  if (!r.success) return errorsByField(describeIssues(r.error));
  return maxModelLen ? errorsByField(contextIssues(r.data, maxModelLen)) : {};
}
