import { test } from 'node:test';
import assert from 'node:assert/strict';
import { luhnValid, redact } from '../../../workers/sandbox/telemetry/redaction';

test('luhn checksum', () => {
  assert.equal(luhnValid('4111111111111111'), true); // Visa test number
  assert.equal(luhnValid('79927398713'), true); // the textbook example
  assert.equal(luhnValid('4111111111111112'), false);
  assert.equal(luhnValid(''), false);
});

const REDACTED: [string, string, string][] = [
  ['e-mail', 'mail jane.doe+x@example.co.uk now', 'mail [EMAIL] now'],
  ['card with spaces', 'card 4111 1111 1111 1111 ok', 'card [CARD] ok'],
  ['card with dashes', 'pay 5500-0000-0000-0004.', 'pay [CARD].'],
  ['card plain (Amex, 15 digits)', 'amex 378282246310005', 'amex [CARD]'],
  ['US SSN', 'ssn 123-45-6789 end', 'ssn [NATIONAL_ID] end'],
  ['UK NINO', 'ni AB 12 34 56 C', 'ni [NATIONAL_ID]'],
  ['international phone', 'call +44 20 7946 0958 today', 'call [PHONE] today'],
  ['US phone with parentheses', 'ring (555) 123-4567', 'ring [PHONE]'],
  ['US phone dotted', 'tel 555.123.4567', 'tel [PHONE]'],
  ['E.164 without separators', 'sms +14155552671', 'sms [PHONE]'],
];

for (const [name, input, expected] of REDACTED) {
  test(`redacts ${name}`, () => assert.equal(redact(input).text, expected));
}

// Look-alikes that carry no personal data and must survive unchanged.
const KEPT: [string, string][] = [
  ['handle without domain', 'ping @jane or jane@localhost'],
  ['16 digits failing Luhn', 'order 4111 1111 1111 1112'],
  ['ISO date', 'on 2024-01-15 we shipped'],
  ['version number', 'upgrade to 10.2.14'],
  ['IPv4 address', 'host 192.168.100.200'],
  ['never-issued SSN area', 'ref 000-12-3456 and 666-12-3456'],
  ['short number', 'take 42 and 1234-5678'],
  ['time of day', 'at 12:30:45'],
  ['decimal', 'pi is 3.14159265'],
];

for (const [name, input] of KEPT) {
  test(`keeps ${name}`, () => assert.equal(redact(input).text, input));
}

test('counts each kind', () => {
  const r = redact('a@b.io, 4111111111111111, 123-45-6789, +1 202 555 0143');
  assert.deepEqual(r.counts, { EMAIL: 1, CARD: 1, NATIONAL_ID: 1, PHONE: 1 });
  assert.equal(r.text, '[EMAIL], [CARD], [NATIONAL_ID], [PHONE]');
});
