// Redacting free text with the rules of ./rules.ts. Pure.
//
// Each match is replaced by a bracketed tag (`[PHONE]`) that holds no digit
// or `@`, so redacting twice changes nothing (the sandbox redacts prompts, the
// receiver redacts the span again). Matching happens on a copy in which
// full-width forms (`１３８…`, `＠`) are folded to ASCII, one UTF-16 unit for
// one, so match positions are the original text's and the rest of the text is
// kept as written; what a rule claims is blanked in that copy so that later
// rules cannot match across it.

import { PII_KINDS, rulesNamed, type PiiKind, type Rule, type RuleName } from './rules';

export type PiiCounts = Record<PiiKind, number>;

export function emptyCounts(): PiiCounts {
  return { EMAIL: 0, CARD: 0, NATIONAL_ID: 0, PHONE: 0, IBAN: 0, IP_ADDRESS: 0 };
}

/** Adds `b` into `a`. */
export function addCounts(a: PiiCounts, b: PiiCounts): PiiCounts {
  for (const k of PII_KINDS) a[k] += b[k];
  return a;
}

export function totalCount(c: PiiCounts): number {
  let n = 0;
  for (const k of PII_KINDS) n += c[k];
  return n;
}

// Full-width ASCII variants U+FF01–FF5E and the ideographic space.
const FULL_WIDTH = /[\uFF01-\uFF5E\u3000]/;
const FULL_WIDTH_ALL = /[\uFF01-\uFF5E\u3000]/g;
const foldChar = (c: string) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0));

/** The text with full-width forms as ASCII; same length, same positions. */
export function foldFullWidth(text: string): string {
  return FULL_WIDTH.test(text) ? text.replace(FULL_WIDTH_ALL, foldChar) : text;
}

export class Redactor {
  readonly rules: readonly RuleName[];
  private readonly compiled: Rule[];
  /** every rule needs one of these characters: text without any is returned at once */
  private readonly candidate: RegExp;

  constructor(rules: readonly RuleName[]) {
    this.compiled = rulesNamed(rules);
    this.rules = this.compiled.map((r) => r.name);
    const ipv6 = this.rules.includes('ipv6');
    this.candidate = this.compiled.length === 0 ? /(?!)/ : ipv6 ? /[0-9@:\uFF10-\uFF1A\uFF20]/ : /[0-9@\uFF10-\uFF19\uFF20]/;
  }

  /**
   * The text with every identifier replaced by its tag; the same string when
   * nothing matched. `counts`, when given, is incremented per kind.
   */
  redact(text: string, counts?: PiiCounts): string {
    if (!this.candidate.test(text)) return text;
    let work = foldFullWidth(text);
    let digits = 0;
    for (let i = 0; i < work.length; i++) {
      const c = work.charCodeAt(i);
      if (c >= 48 && c <= 57) digits++;
    }
    // [start, end, kind] triples
    let claims: (number | PiiKind)[] | undefined;
    for (const rule of this.compiled) {
      // Most attribute values are short ids and numbers: skip the rules they cannot match.
      if (digits < rule.minDigits || work.length < rule.minLength || (rule.needs && !work.includes(rule.needs))) continue;
      const re = rule.pattern;
      re.lastIndex = 0;
      for (let m = re.exec(work); m; m = re.exec(work)) {
        let len = m[0].length;
        if (rule.valid) {
          const v = rule.valid(m[0]);
          if (v === false || v === 0) continue;
          if (typeof v === 'number') len = v;
        }
        claims ??= [];
        claims.push(m.index, m.index + len, rule.kind);
        // Blank the claim; NUL is in no pattern, and reads as a boundary to the next rules.
        work = work.slice(0, m.index) + '\u0000'.repeat(len) + work.slice(m.index + len);
        re.lastIndex = m.index + len;
      }
    }
    if (!claims) return text;
    const order: number[] = [];
    for (let i = 0; i < claims.length; i += 3) order.push(i);
    order.sort((a, b) => (claims[a] as number) - (claims[b] as number));
    let out = '';
    let at = 0;
    for (const i of order) {
      const kind = claims[i + 2] as PiiKind;
      out += `${text.slice(at, claims[i] as number)}[${kind}]`;
      at = claims[i + 1] as number;
      if (counts) counts[kind]++;
    }
    return out + text.slice(at);
  }
}
