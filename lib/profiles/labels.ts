// Label syntax around profiles. Pure.
//  - Pyroscope's push name: `app{k=v,k2=v2}` (the @pyroscope/nodejs SDK writes
//    values unquoted, e.g. `process.runtime.version=v20.20.2`).
//  - Label selectors: `{service_name="sandbox", region!="eu", pod=~"a.*"}`.

export class LabelSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSyntaxError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;
const MAX_LABELS = 64;
const MAX_VALUE = 1024;

/**
 * Splits a push name into the application name and its labels. The
 * application name becomes `service_name` unless a label already sets it, as
 * Pyroscope does.
 */
export function parseAppName(name: string): { service: string; labels: Record<string, string> } {
  const m = /^([^{}]+?)\s*(?:\{(.*)\})?$/s.exec(name.trim());
  if (!m) throw new LabelSyntaxError(`name: expected app{key=value,...}, got ${JSON.stringify(name.slice(0, 80))}`);
  const app = m[1].trim();
  const labels: Record<string, string> = {};
  const body = m[2]?.trim() ?? '';
  if (body) {
    const parts = body.split(',');
    if (parts.length > MAX_LABELS) throw new LabelSyntaxError(`name: more than ${MAX_LABELS} labels`);
    for (const part of parts) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new LabelSyntaxError(`name: label ${JSON.stringify(part.trim())} is not key=value`);
      const key = part.slice(0, eq).trim();
      let value = part.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (!NAME.test(key)) throw new LabelSyntaxError(`name: invalid label name ${JSON.stringify(key)}`);
      if (value.length > MAX_VALUE) throw new LabelSyntaxError(`name: value of ${key} is longer than ${MAX_VALUE}`);
      labels[key] = value;
    }
  }
  if (!app) throw new LabelSyntaxError('name: the application name is empty');
  const service = labels.service_name || app;
  labels.service_name = service;
  return { service, labels };
}

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** Parses a Prometheus-style selector `{a="b", c!="d", e=~"f.*"}` (or `{}`/'' for everything). */
export function parseLabelSelector(sel: string): LabelMatcher[] {
  const s = sel.trim();
  if (s === '' || s === '{}') return [];
  if (!s.startsWith('{') || !s.endsWith('}')) throw new LabelSyntaxError(`label selector must look like {name="value"}, got ${JSON.stringify(s.slice(0, 80))}`);
  const out: LabelMatcher[] = [];
  const re = /\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  const body = s.slice(1, -1);
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const m = re.exec(body);
    if (!m) {
      if (!body.slice(at).trim()) break;
      throw new LabelSyntaxError(`label selector: cannot read ${JSON.stringify(body.slice(at, at + 40))}`);
    }
    out.push({ name: m[1], op: m[2] as MatchOp, value: m[3].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)) });
    at = re.lastIndex;
  }
  return out;
}
