// The redaction rules: a pattern for the shape of an identifier and, where the
// identifier has one, a validator (./checks.ts) so look-alikes survive. Pure.
//
// Patterns run on text whose full-width forms were folded to ASCII (see
// ./text.ts) and use explicit ASCII-alphanumeric boundaries instead of `\b`:
// an identifier inside CJK text (`手机号13812345678,请`) has no ASCII word
// character beside it and is found; one glued to ASCII letters or digits
// (`order A13812345678`, hex trace ids) is not.

import { IBAN_LENGTH, cnMobileValid, cnResidentIdValid, ibanValid, ipv6Valid, luhnValid } from './checks';

/** What a match is replaced by (`[PHONE]`) and what is counted. */
export type PiiKind = 'EMAIL' | 'CARD' | 'NATIONAL_ID' | 'PHONE' | 'IBAN' | 'IP_ADDRESS';
export const PII_KINDS: readonly PiiKind[] = ['EMAIL', 'CARD', 'NATIONAL_ID', 'PHONE', 'IBAN', 'IP_ADDRESS'];

export interface Rule {
  name: RuleName;
  kind: PiiKind;
  /** global; matched against the folded text */
  pattern: RegExp;
  /**
   * Whether the match is an identifier (not a look-alike); a number: how many
   * characters at the start of the match are one (0: none).
   */
  valid?: (match: string) => boolean | number;
  /** the fewest digits and characters a match has: shorter text skips the rule */
  minDigits: number;
  minLength: number;
  /** a character every match contains */
  needs?: '@' | ':';
}

const digitsOf = (s: string) => s.replace(/\D/g, '');

// IPv4 dotted quad, each octet 0–255 without leading zeros.
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_WHOLE = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The length of the IBAN at the start of a candidate: the shape may run on
 * into a following group of digits (`DE89 3704 0044 0532 0130 00 1234`), so
 * the country's length decides where it ends.
 */
function ibanPrefix(m: string): number {
  const want = IBAN_LENGTH[m.slice(0, 2).toUpperCase()];
  if (!want) return 0;
  let chars = 0;
  let end = 0;
  while (end < m.length && chars < want) if (m[end++] !== ' ') chars++;
  return chars === want && ibanValid(m.slice(0, end)) ? end : 0;
}

function phoneValid(m: string): boolean {
  if (IPV4_WHOLE.test(m) || ISO_DATE.test(m)) return false;
  const n = digitsOf(m).length;
  if (n > 15) return false; // E.164 maximum
  if (m.startsWith('+')) return n >= 8;
  return n >= 10 || (m.includes('(') && n >= 9);
}

/**
 * In the order they run: an earlier rule claims its matches first (an
 * 18-digit resident id is NATIONAL_ID, and `0086-13812345678` PHONE, even
 * when they also pass Luhn).
 */
const RULES: readonly Rule[] = [
  {
    name: 'email',
    kind: 'EMAIL',
    pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
    minDigits: 0,
    minLength: 6,
    needs: '@',
  },
  {
    // Two letters, two check digits, 11–30 letters or digits, optionally in groups of four.
    name: 'iban',
    kind: 'IBAN',
    pattern: /(?<![0-9A-Za-z])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?(?![0-9A-Za-z])/g,
    valid: ibanPrefix,
    minDigits: 2,
    minLength: 15,
  },
  {
    // 18 characters (6-digit region, YYYYMMDD, 3-digit sequence, check digit or X; a
    // space or dash may separate region, birth date and the rest), or the old 15 digits.
    name: 'cn_resident_id',
    kind: 'NATIONAL_ID',
    pattern:
      /(?<![0-9A-Za-z]|\d\.)[1-9]\d{5}(?:[ -]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[ -]?\d{3}[\dXx]|\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])/g,
    valid: cnResidentIdValid,
    minDigits: 15,
    minLength: 15,
  },
  {
    // 11 digits starting 1[3-9], optionally +86 / 0086, optionally 3-4-4 groups.
    name: 'cn_mobile',
    kind: 'PHONE',
    pattern: /(?<![0-9A-Za-z+]|\d\.)(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z]|[.,]\d)/g,
    valid: (m) => cnMobileValid(digitsOf(m).replace(/^(?:00)?86(?=\d{11}$)/, '')),
    minDigits: 11,
    minLength: 11,
  },
  {
    // 13–19 digits, optionally in groups separated by one space or dash.
    name: 'card',
    kind: 'CARD',
    pattern: /(?<![0-9A-Za-z+-]|\d\.)\d(?:[ -]?\d){12,18}(?![0-9A-Za-z-])/g,
    valid: (m) => luhnValid(digitsOf(m)),
    minDigits: 13,
    minLength: 13,
  },
  {
    // US SSN AAA-GG-SSSS; area 000, 666 and 9xx, group 00 and serial 0000 are never issued.
    name: 'us_ssn',
    kind: 'NATIONAL_ID',
    pattern: /(?<![0-9A-Za-z-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![0-9A-Za-z-])/g,
    minDigits: 9,
    minLength: 11,
  },
  {
    // UK National Insurance number: two letters (not D, F, I, Q, U, V; second not O), six digits, suffix A–D.
    name: 'uk_nino',
    kind: 'NATIONAL_ID',
    pattern: /(?<![0-9A-Za-z])(?![DFIQUV])[A-Z](?![DFIQUVO])[A-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![0-9A-Za-z])/g,
    minDigits: 6,
    minLength: 9,
  },
  {
    name: 'ipv4',
    kind: 'IP_ADDRESS',
    pattern: new RegExp(`(?<![0-9A-Za-z.])${OCTET}(?:\\.${OCTET}){3}(?![0-9A-Za-z]|\\.\\d)`, 'g'),
    minDigits: 4,
    minLength: 7,
  },
  {
    // A run of hex digits, colons and dots ending in a hex digit or colon; ipv6Valid decides.
    name: 'ipv6',
    kind: 'IP_ADDRESS',
    pattern: /(?<![0-9A-Za-z_:.])[0-9A-Fa-f:][0-9A-Fa-f.:]*[0-9A-Fa-f:](?![0-9A-Za-z_:])/g,
    valid: (m) => m.includes(':') && ipv6Valid(m),
    minDigits: 0,
    minLength: 3,
    needs: ':',
  },
  {
    // International (+CC …) or national with an area code in parentheses, or 10+ digits in groups.
    name: 'phone',
    kind: 'PHONE',
    pattern: /(?<![\w.+-])(?:\+\d{8,15}|(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4})(?![\w-]|\.\d)/g,
    valid: phoneValid,
    minDigits: 8,
    minLength: 8,
  },
];

export type RuleName = 'email' | 'iban' | 'cn_resident_id' | 'cn_mobile' | 'card' | 'us_ssn' | 'uk_nino' | 'ipv4' | 'ipv6' | 'phone';
export const RULE_NAMES: readonly RuleName[] = RULES.map((r) => r.name);
/** IP addresses are often what an operator needs to see, so they are redacted only when configured. */
export const DEFAULT_RULES: readonly RuleName[] = RULE_NAMES.filter((n) => n !== 'ipv4' && n !== 'ipv6');

/** Fresh copies of the named rules, in rule order (regexes are stateful: one set per redactor). */
export function rulesNamed(names: readonly RuleName[]): Rule[] {
  return RULES.filter((r) => names.includes(r.name)).map((r) => ({ ...r, pattern: new RegExp(r.pattern.source, r.pattern.flags) }));
}

export class RuleListError extends Error {}

/**
 * Parses a rule list such as `default`, `default,ipv4,ipv6`, `default,-phone`,
 * `email,card` or `none`. Throws RuleListError naming the unknown entry.
 */
export function parseRuleList(text: string): RuleName[] {
  const out = new Set<RuleName>();
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (raw === 'none') continue;
    if (raw === 'default' || raw === 'all') {
      for (const n of raw === 'all' ? RULE_NAMES : DEFAULT_RULES) out.add(n);
      continue;
    }
    const drop = raw.startsWith('-');
    const name = drop ? raw.slice(1) : raw;
    if (!(RULE_NAMES as readonly string[]).includes(name)) {
      throw new RuleListError(`unknown redaction rule ${JSON.stringify(name)}; expected default, all, none or some of ${RULE_NAMES.join(', ')}`);
    }
    if (drop) out.delete(name as RuleName);
    else out.add(name as RuleName);
  }
  return RULE_NAMES.filter((n) => out.has(n));
}
