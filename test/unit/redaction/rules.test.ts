// The redaction rules as tables: identifiers that must go, look-alikes that
// must stay (order numbers, timestamps, amounts, versions, trace ids), per rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_RULES,
  RULE_NAMES,
  Redactor,
  RuleListError,
  cnIdCheckChar,
  cnMobileValid,
  cnResidentIdValid,
  emptyCounts,
  foldFullWidth,
  ibanValid,
  ipv6Valid,
  luhnValid,
  parseRuleList,
} from '../../../lib/redaction';

const redactor = new Redactor(DEFAULT_RULES);
const withIp = new Redactor(RULE_NAMES);
const redact = (s: string) => redactor.redact(s);

// ------------------------------------------------------------ validators

test('luhn checksum', () => {
  assert.equal(luhnValid('4111111111111111'), true); // Visa test number
  assert.equal(luhnValid('79927398713'), true); // the textbook example
  assert.equal(luhnValid('4111111111111112'), false);
  assert.equal(luhnValid(''), false);
});

test('GB 11643 check character (ISO 7064 MOD 11-2)', () => {
  // The standard's own example, checked by hand: Σ aᵢ·Wᵢ = 167, 167 mod 11 = 2 → X.
  assert.equal(cnIdCheckChar('11010519491231002'), 'X');
  // Σ = 204, 204 mod 11 = 6 → (12 − 6) mod 11 = 6.
  assert.equal(cnIdCheckChar('44030619900101123'), '6');
});

const RESIDENT_IDS: [string, boolean, string][] = [
  ['11010519491231002X', true, 'the standard example'],
  ['11010519491231002x', true, 'lower-case x'],
  ['440306199001011236', true, 'check digit 6'],
  ['510108200002290041', true, '29 February of a leap year'],
  ['110105 19491231 002X', true, 'spaced groups'],
  ['110105491231002', true, 'old 15-digit form, born 1949-12-31'],
  ['110105194912310021', false, 'check character should be X'],
  ['440306199001011237', false, 'check digit off by one'],
  ['510108190002290045', false, '1900 was not a leap year'],
  ['440306199013011236', false, 'month 13'],
  ['990306199001011236', false, 'no province 99'],
  ['440306299001011236', false, 'born in 2990'],
  ['110105491331002', false, '15-digit form with month 13'],
];
for (const [id, ok, why] of RESIDENT_IDS) {
  test(`resident id ${id} is ${ok ? 'valid' : 'not valid'} (${why})`, () => assert.equal(cnResidentIdValid(id), ok));
}

test('mainland mobile prefixes', () => {
  for (const n of ['13812345678', '14512345678', '15012345678', '16612345678', '17012345678', '18912345678', '19912345678']) assert.ok(cnMobileValid(n), n);
  for (const n of ['15412345678', '16012345678', '17912345678', '19412345678', '12345678901', '1381234567']) assert.ok(!cnMobileValid(n), n);
});

test('IBAN: country length and MOD 97-10', () => {
  for (const i of ['DE89370400440532013000', 'GB82 WEST 1234 5698 7654 32', 'NO9386011117947', 'FR1420041010050500013M02606', 'nl91abna0417164300']) assert.ok(ibanValid(i), i);
  assert.ok(!ibanValid('DE89370400440532013001'), 'check digits do not match');
  assert.ok(!ibanValid('DE8937040044053201300'), 'one character short for DE');
  assert.ok(!ibanValid('ZZ89370400440532013000'), 'no such country');
});

test('IPv6 text forms', () => {
  for (const a of ['2001:db8::8a2e:370:7334', 'fe80::1', '::1', '2001:0db8:0000:0000:0000:ff00:0042:8329', '::ffff:192.0.2.128']) assert.ok(ipv6Valid(a), a);
  for (const a of ['12:30:45', '00:1a:2b:3c:4d:5e', '::', '1::2::3', '2001:db8::g', '1:2:3:4:5:6:7:8:9', '::ffff:192.0.2.256']) assert.ok(!ipv6Valid(a), a);
});

// ------------------------------------------------------------ redaction tables

const REDACTED: [string, string, string][] = [
  // e-mail
  ['e-mail', 'mail jane.doe+x@example.co.uk now', 'mail [EMAIL] now'],
  ['e-mail inside CJK text', '邮箱jane@example.cn请回复', '邮箱[EMAIL]请回复'],
  // cards
  ['card with spaces', 'card 4111 1111 1111 1111 ok', 'card [CARD] ok'],
  ['card with dashes', 'pay 5500-0000-0000-0004.', 'pay [CARD].'],
  ['card plain (Amex, 15 digits)', 'amex 378282246310005', 'amex [CARD]'],
  ['card followed by a year', 'card 4111 1111 1111 1111 2024', 'card [CARD] 2024'],
  ['card inside CJK text', '卡号4111111111111111已绑定', '卡号[CARD]已绑定'],
  // national ids
  ['US SSN', 'ssn 123-45-6789 end', 'ssn [NATIONAL_ID] end'],
  ['UK NINO', 'ni AB 12 34 56 C', 'ni [NATIONAL_ID]'],
  ['resident id with X', '身份证 11010519491231002X', '身份证 [NATIONAL_ID]'],
  ['resident id glued to CJK text', '身份证号11010519491231002x已登记', '身份证号[NATIONAL_ID]已登记'],
  ['resident id, digits only', 'id 440306199001011236.', 'id [NATIONAL_ID].'],
  ['resident id, 15 digits', '旧身份证:110105491231002', '旧身份证:[NATIONAL_ID]'],
  // mainland mobiles
  ['mobile inside CJK text (the issue)', '我的手机号是13812345678,请回电', '我的手机号是[PHONE],请回电'],
  ['mobile with full-width comma', '电话：13912345678，谢谢', '电话：[PHONE]，谢谢'],
  ['mobile in 3-4-4 groups', 'call 138 1234 5678', 'call [PHONE]'],
  ['mobile with dashes', '手机 138-1234-5678', '手机 [PHONE]'],
  ['mobile with +86', '+86 138 1234 5678', '[PHONE]'],
  ['mobile with +86, no spaces', 'tel:+8613812345678', 'tel:[PHONE]'],
  ['mobile with 0086', '0086-13812345678', '[PHONE]'],
  ['mobile in full-width digits', '手机１３８１２３４５６７８', '手机[PHONE]'],
  // other phones
  ['international phone', 'call +44 20 7946 0958 today', 'call [PHONE] today'],
  ['US phone with parentheses', 'ring (555) 123-4567', 'ring [PHONE]'],
  ['US phone dotted', 'tel 555.123.4567', 'tel [PHONE]'],
  ['E.164 without separators', 'sms +14155552671', 'sms [PHONE]'],
  // IBAN
  ['IBAN in groups', 'iban DE89 3704 0044 0532 0130 00 please', 'iban [IBAN] please'],
  ['IBAN electronic form', 'to GB82WEST12345698765432.', 'to [IBAN].'],
  ['IBAN followed by more digits', 'DE89 3704 0044 0532 0130 00 1234', '[IBAN] 1234'],
  ['IBAN inside CJK text', '账户FR1420041010050500013M02606收款', '账户[IBAN]收款'],
];
for (const [name, input, expected] of REDACTED) {
  test(`redacts ${name}`, () => assert.equal(redact(input), expected));
}

// Look-alikes that carry no personal data and must survive unchanged.
const KEPT: [string, string][] = [
  ['handle without domain', 'ping @jane or jane@localhost'],
  ['16 digits failing Luhn', 'order 4111 1111 1111 1112'],
  ['ISO date', 'on 2024-01-15 we shipped'],
  ['ISO timestamp', 'at 2024-01-15T12:30:45.123Z'],
  ['version number', 'upgrade to 10.2.14'],
  ['version with a long build number', 'v1.38.12345678 and 2.0.13812345678'],
  ['IPv4 address (not configured)', 'host 192.168.100.200'],
  ['IPv6 address (not configured)', 'host fe80::1 and 2001:db8::8a2e:370:7334'],
  ['never-issued SSN area', 'ref 000-12-3456 and 666-12-3456'],
  ['short number', 'take 42 and 1234-5678'],
  ['time of day', 'at 12:30:45'],
  ['decimal', 'pi is 3.14159265'],
  ['unix time in s, ms, ns', 'ts 1700000000 1700000000000 1700000000000000000'],
  ['13-digit ms timestamp starting 13', '时间戳1381234567890'],
  ['amount with 11 integer digits', '金额 13812345678.00 元 and ¥19912345678,50'],
  ['11-digit order number, no mobile prefix', '订单号 10012345678 and 12345678901'],
  ['11 digits with an unallocated mobile prefix', '编号 15412345678'],
  ['order number glued to letters', 'order A13812345678 and SO13812345678X'],
  ['W3C trace and span ids', 'traceparent 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
  ['all-digit trace id', 'trace 13812345678901234567890123456789'],
  ['UUID', 'req 123e4567-e89b-12d3-a456-426614174000'],
  ['18 digits failing MOD 11-2', '编号 110105194912310021'],
  ['18 digits with an impossible birth date', 'ref 440306199002301236'],
  ['IBAN-shaped text failing MOD 97', 'DE89 3704 0044 0532 0130 02'],
  ['word-and-number code', 'sku AB12 CDEF GHIJ KLMN'],
  ['MAC address', 'mac 00:1a:2b:3c:4d:5e'],
  ['already redacted text', 'call [PHONE] or mail [EMAIL] about [NATIONAL_ID]'],
];
for (const [name, input] of KEPT) {
  test(`keeps ${name}`, () => assert.equal(redact(input), input));
}

test('IP addresses only when configured', () => {
  const text = 'from 192.168.1.20 via fe80::1%eth0 and [2001:db8::8a2e:370:7334]:443 at 12:30:45 on v1.2.3.4';
  assert.equal(redact(text), text);
  assert.equal(withIp.redact(text), 'from [IP_ADDRESS] via [IP_ADDRESS]%eth0 and [[IP_ADDRESS]]:443 at 12:30:45 on v1.2.3.4');
  assert.equal(withIp.redact('version 10.2.14 and 1.2.3'), 'version 10.2.14 and 1.2.3');
});

test('counts each kind', () => {
  const counts = emptyCounts();
  const out = redactor.redact('a@b.io, 4111111111111111, 123-45-6789, +1 202 555 0143, 13812345678, DE89370400440532013000', counts);
  assert.equal(out, '[EMAIL], [CARD], [NATIONAL_ID], [PHONE], [PHONE], [IBAN]');
  assert.deepEqual(counts, { EMAIL: 1, CARD: 1, NATIONAL_ID: 1, PHONE: 2, IBAN: 1, IP_ADDRESS: 0 });
});

test('redacting twice changes nothing more', () => {
  for (const [, input] of REDACTED) {
    const once = redact(input);
    assert.equal(redact(once), once);
  }
});

test('text without digits or @ is returned as the same string', () => {
  const s = 'a prompt about nothing in particular, 没有号码';
  assert.equal(redactor.redact(s), s);
});

test('full-width folding keeps length and positions; the rest of the text keeps its full-width forms', () => {
  const s = 'ＡＢＣ：１３８１２３４５６７８　ｏｋ';
  assert.equal(foldFullWidth(s).length, s.length);
  assert.equal(foldFullWidth(s), 'ABC:13812345678 ok');
  assert.equal(redact(s), 'ＡＢＣ：[PHONE]　ｏｋ');
});

test('rule lists', () => {
  assert.deepEqual(parseRuleList('default'), DEFAULT_RULES);
  assert.deepEqual(parseRuleList('all'), RULE_NAMES);
  assert.deepEqual(parseRuleList('default,ipv4'), RULE_NAMES.filter((r) => r !== 'ipv6'));
  assert.deepEqual(parseRuleList('default,-phone,-cn_mobile'), DEFAULT_RULES.filter((r) => r !== 'phone' && r !== 'cn_mobile'));
  assert.deepEqual(parseRuleList('card, email'), ['email', 'card']);
  assert.deepEqual(parseRuleList('none'), []);
  assert.throws(() => parseRuleList('default,phones'), (e: unknown) => e instanceof RuleListError && /unknown redaction rule "phones"/.test(e.message));
  // Only the listed rules run.
  assert.equal(new Redactor(parseRuleList('email')).redact('a@b.io 13812345678'), '[EMAIL] 13812345678');
  assert.equal(new Redactor([]).redact('a@b.io 13812345678'), 'a@b.io 13812345678');
});
