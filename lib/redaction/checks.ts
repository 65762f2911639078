// Validators behind the redaction rules: a pattern finds the shape of an
// identifier, one of these decides whether it is one, so that order numbers,
// timestamps, amounts and ids of the same shape survive. Pure; no imports, so
// the sandbox can use them too (see ./index.ts).

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

/** Whether y-m-d is a calendar date no later than today (UTC). */
export function pastDateValid(y: number, m: number, d: number, today = new Date()): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return false;
  return Date.UTC(y, m - 1, d) <= today.getTime();
}

// First two digits of a resident identity number: the province-level division (GB/T 2260).
const CN_PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
]);

// GB 11643-1999 weights: 2^(17-i) mod 11 for the 17 body digits.
const CN_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** The ISO 7064 MOD 11-2 check character of 17 digits ('0'–'9' or 'X'). */
export function cnIdCheckChar(body17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += (body17.charCodeAt(i) - 48) * CN_ID_WEIGHTS[i];
  const c = (12 - (s % 11)) % 11;
  return c === 10 ? 'X' : String(c);
}

/**
 * A mainland-China resident identity number (GB 11643): 18 characters with a
 * valid province, a past date of birth and the MOD 11-2 check character (`X`
 * in either case), or the old 15-digit form (date of birth 19YYMMDD, no check
 * character). Separators are ignored.
 */
export function cnResidentIdValid(raw: string): boolean {
  const s = raw.replace(/[ -]/g, '').toUpperCase();
  if (!CN_PROVINCES.has(Number(s.slice(0, 2)))) return false;
  if (s.length === 15) return /^\d{15}$/.test(s) && pastDateValid(1900 + Number(s.slice(6, 8)), Number(s.slice(8, 10)), Number(s.slice(10, 12)));
  if (s.length !== 18 || !/^\d{17}[\dX]$/.test(s)) return false;
  if (!pastDateValid(Number(s.slice(6, 10)), Number(s.slice(10, 12)), Number(s.slice(12, 14)))) return false;
  return cnIdCheckChar(s) === s[17];
}

/**
 * Whether 11 digits are a mainland-China mobile number by their network
 * prefix (MIIT allocations: 13x, 145–149, 15x but 154, 162/165–167, 170–178,
 * 18x, 19x but 194). Data-only 140–144 numbers have 13 digits and do not fit.
 */
export function cnMobileValid(digits: string): boolean {
  return /^1(?:3\d|4[5-9]|5[0-35-9]|6[25-7]|7[0-8]|8\d|9[0-35-9])\d{8}$/.test(digits);
}

// IBAN length per country (SWIFT IBAN registry).
export const IBAN_LENGTH: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27,
  GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28,
  PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** An IBAN (ISO 13616): the country's length and the ISO 7064 MOD 97-10 check (remainder 1). Spaces ignored, any case. */
export function ibanValid(raw: string): boolean {
  const s = raw.replace(/ /g, '').toUpperCase();
  if (IBAN_LENGTH[s.slice(0, 2)] !== s.length || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s)) return false;
  // Country code and check digits move to the end; letters count as 10–35; the
  // remainder is taken digit by digit so no number outgrows a double.
  const r = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < r.length; i++) {
    const c = r.charCodeAt(i);
    rem = c >= 65 ? (rem * 100 + c - 55) % 97 : (rem * 10 + c - 48) % 97;
  }
  return rem === 1;
}

/** An IPv6 address in text form (RFC 4291 §2.2, with one `::` at most and an optional dotted IPv4 tail). */
export function ipv6Valid(s: string): boolean {
  let groups = 0;
  let text = s;
  const tail = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (tail) {
    if (!tail[1].split('.').every((o) => Number(o) <= 255 && !/^0\d/.test(o))) return false;
    text = `${s.slice(0, tail.index + 1)}0`; // stands in for the two groups the IPv4 part fills
    groups = 1;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const parts = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!parts.every((p) => /^[0-9A-Fa-f]{1,4}$/.test(p))) return false;
  if (parts.length === 0) return false; // `::` alone reads as punctuation more often than as an address
  groups += parts.length;
  return halves.length === 2 ? groups < 8 : groups === 8;
}
