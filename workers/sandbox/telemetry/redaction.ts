// PII redaction for prompts and outputs recorded on spans (SANDBOX_RECORD_PROMPTS=1).
// Pure: no I/O. Each rule replaces a match with a bracketed tag that contains no
// digits or '@', so a later rule cannot re-match an earlier replacement.
//
// The rules aim at the usual shapes, not at every locale. Look-alikes that must
// survive (dates, versions, IPv4 addresses, order numbers failing Luhn, handles
// without a domain) are covered by test/unit/sandbox-serve/redaction.test.ts.

export type PiiKind = 'EMAIL' | 'CARD' | 'NATIONAL_ID' | 'PHONE';

/** Luhn checksum (ISO/IEC 7812) over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const digitsOf = (s: string) => s.replace(/\D/g, '');

// 13–19 digits, optionally in groups separated by one space or dash; not part of a longer number.
const CARD = /(?<![\d+-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
// US SSN shape AAA-GG-SSSS; area 000, 666 and 9xx, group 00 and serial 0000 are never issued.
const SSN = /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g;
// UK National Insurance number: two letters, six digits, suffix A–D.
const NINO = /\b(?![DFIQUV])[A-Z](?![DFIQUVO])[A-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// International (+CC …) or national with area code in parentheses or 10+ digits in groups.
const PHONE = /(?<![\w.+-])(?:\+\d{8,15}|(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4})(?![\w-]|\.\d)/g;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isPhone(m: string): boolean {
  if (IPV4.test(m) || ISO_DATE.test(m)) return false;
  const n = digitsOf(m).length;
  if (n > 15) return false; // E.164 maximum
  if (m.startsWith('+')) return n >= 8;
  return n >= 10 || (m.includes('(') && n >= 9);
}

/** Replaces e-mail addresses, card numbers (Luhn-valid), national-ID-like numbers and phone numbers. */
export function redact(text: string): { text: string; counts: Record<PiiKind, number> } {
  const counts: Record<PiiKind, number> = { EMAIL: 0, CARD: 0, NATIONAL_ID: 0, PHONE: 0 };
  const tag = (kind: PiiKind) => {
    counts[kind]++;
    return `[${kind}]`;
  };
  let out = text.replace(EMAIL, () => tag('EMAIL'));
  out = out.replace(CARD, (m) => (luhnValid(digitsOf(m)) ? tag('CARD') : m));
  out = out.replace(SSN, () => tag('NATIONAL_ID'));
  out = out.replace(NINO, () => tag('NATIONAL_ID'));
  out = out.replace(PHONE, (m) => (isPhone(m) ? tag('PHONE') : m));
  return { text: out, counts };
}
