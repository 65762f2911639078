// Redaction of received spans and profile labels: what is redacted, dropped,
// kept untouched, and how a span records counts instead of values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../../lib/config';
import { DEFAULT_RULES, KeyPolicy, Redactor, parseKeyList } from '../../../lib/redaction';
import { redactProfileLabels, redactSpans, type RedactionPolicy } from '../../../lib/redaction/telemetry';
import type { Span } from '../../../lib/model/types';

const policy = (opts: { allowed?: string[]; dropped?: string[] } = {}): RedactionPolicy => ({ redactor: new Redactor(DEFAULT_RULES), keys: new KeyPolicy(opts) });

const MOBILE = '13812345678';
const ID = '11010519491231002X';
const EMAIL = 'jane.doe@example.com';
const CARD = '4111111111111111';

function span(over: Partial<Span> = {}): Span {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    service: 'checkout',
    name: 'GET /users',
    kind: 'server',
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    status: 'unset',
    attributes: {},
    resourceAttributes: { 'service.name': 'checkout' },
    events: [],
    links: [],
    ...over,
  };
}

test('span names, attribute values, events, links, status messages and resource attributes are redacted, with counts per kind', () => {
  const resource = { 'service.name': 'checkout', 'host.owner': `ops ${EMAIL}` };
  const [s] = redactSpans(
    [
      span({
        name: `lookup ${MOBILE}`,
        statusMessage: `card ${CARD} declined`,
        resourceAttributes: resource,
        attributes: {
          'user.note': `我的手机号是${MOBILE},请回电`,
          'user.phone': Number(MOBILE),
          'http.response.status_code': 200,
          'order.total': 1234.5,
          tags: ['ok', `id ${ID}`],
          nested: { who: EMAIL, n: 3 },
        },
        events: [{ name: 'exception', timeUnixNano: 1n, attributes: { 'exception.message': `no account for ${EMAIL}` } }],
        links: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), attributes: { 'peer.id': ID } }],
      }),
    ],
    policy(),
  );
  assert.equal(s.name, 'lookup [PHONE]');
  assert.equal(s.statusMessage, 'card [CARD] declined');
  assert.equal(s.resourceAttributes['host.owner'], 'ops [EMAIL]');
  assert.equal(s.attributes['user.note'], '我的手机号是[PHONE],请回电');
  assert.equal(s.attributes['user.phone'], '[PHONE]', 'an integer attribute is checked as its digits');
  assert.equal(s.attributes['http.response.status_code'], 200);
  assert.equal(s.attributes['order.total'], 1234.5);
  assert.deepEqual(s.attributes.tags, ['ok', 'id [NATIONAL_ID]']);
  assert.deepEqual(s.attributes.nested, { who: '[EMAIL]', n: 3 });
  assert.equal(s.events[0].attributes['exception.message'], 'no account for [EMAIL]');
  assert.equal(s.links[0].attributes['peer.id'], '[NATIONAL_ID]');
  // 3 phones, 3 e-mails (resource, nested, event), 2 ids, 1 card.
  assert.equal(s.attributes['trisight.redaction.phone'], 3);
  assert.equal(s.attributes['trisight.redaction.email'], 3);
  assert.equal(s.attributes['trisight.redaction.national_id'], 2);
  assert.equal(s.attributes['trisight.redaction.card'], 1);
  assert.equal(s.attributes['redaction.masked.count'], 9);
  assert.equal(s.attributes['redaction.redacted.count'], undefined, 'nothing dropped');
  const stored = JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  for (const secret of [MOBILE, ID, EMAIL, CARD]) assert.ok(!stored.includes(secret), secret);
});

test('gen_ai.prompt and its indexed forms are dropped unless allowed; the drop is counted', () => {
  const attrs = { 'gen_ai.prompt': 'hello', 'gen_ai.prompt.0.content': 'hi', 'gen_ai.completion.0.content': 'yo', 'gen_ai.request.model': 'm' };
  const [s] = redactSpans([span({ attributes: attrs })], policy());
  assert.deepEqual(Object.keys(s.attributes).sort(), ['gen_ai.request.model', 'redaction.redacted.count']);
  assert.equal(s.attributes['redaction.redacted.count'], 3);
  const [kept] = redactSpans([span({ attributes: { 'gen_ai.prompt': `call ${MOBILE}` } })], policy({ allowed: ['gen_ai.prompt'] }));
  assert.equal(kept.attributes['gen_ai.prompt'], `call ${MOBILE}`, 'an allowed key passes untouched');
  const [redacted] = redactSpans([span({ attributes: { 'gen_ai.prompt': `call ${MOBILE}` } })], policy({ dropped: [] }));
  assert.equal(redacted.attributes['gen_ai.prompt'], 'call [PHONE]', 'off the drop list, it is redacted like any value');
});

test('ids and our own bookkeeping are never redacted; counts add to what the sender recorded', () => {
  const digits = '4111111111111111';
  const [s] = redactSpans(
    [span({ name: `x ${EMAIL}`, attributes: { 'pyroscope.profile.id': digits, 'trisight.batch.span_ids': [digits], 'trisight.redaction.email': 2, 'redaction.masked.count': 2 } })],
    policy(),
  );
  assert.equal(s.attributes['pyroscope.profile.id'], digits);
  assert.deepEqual(s.attributes['trisight.batch.span_ids'], [digits]);
  assert.equal(s.attributes['trisight.redaction.email'], 3);
  assert.equal(s.attributes['redaction.masked.count'], 3);
});

test('a span with nothing to redact is stored as it came, and spans of one resource share its redacted attributes', () => {
  const clean = span({ attributes: { a: 'plain', n: 42 } });
  const [out] = redactSpans([clean], policy());
  assert.deepEqual(out, clean);
  assert.equal(out.attributes, clean.attributes, 'no copy of unchanged attributes');
  const resource = { 'service.name': 'svc', owner: EMAIL };
  const both = redactSpans([span({ resourceAttributes: resource }), span({ spanId: 'c'.repeat(16), resourceAttributes: resource })], policy());
  assert.equal(both[0].resourceAttributes, both[1].resourceAttributes);
  assert.equal(both[0].attributes['trisight.redaction.email'], 1);
  assert.equal(both[1].attributes['trisight.redaction.email'], 1, 'each stored span counts its copy of the resource');
});

test('profile labels: series and sample labels redacted once per value, span ids kept, the same push when clean', () => {
  const sampleLabels = { span_id: '4111111111111111', span_name: `lookup ${MOBILE}` };
  const push = {
    service: 'svc',
    labels: { service_name: 'svc', owner: EMAIL, 'gen_ai.prompt': 'x' },
    profile: { samples: [{ stack: 0, labels: sampleLabels }, { stack: 1, labels: sampleLabels }, { stack: 2, labels: {} }] },
  };
  const out = redactProfileLabels(push, policy());
  assert.deepEqual(out.labels, { service_name: 'svc', owner: '[EMAIL]' });
  assert.deepEqual(out.profile.samples[0].labels, { span_id: '4111111111111111', span_name: 'lookup [PHONE]' });
  assert.equal(out.profile.samples[2], push.profile.samples[2]);
  assert.equal(push.labels.owner, EMAIL, 'the input is not modified');
  const clean = { service: 'svc', labels: { service_name: 'svc' }, profile: { samples: [{ labels: { span_id: 'ab' } }] } };
  assert.equal(redactProfileLabels(clean, policy()), clean);
});

test('configuration: defaults, lists, and one-line errors', () => {
  const c = parseConfig({});
  assert.deepEqual(c.REDACTION_RULES, DEFAULT_RULES);
  assert.deepEqual(c.REDACTION_DROP_KEYS, ['gen_ai.prompt*', 'gen_ai.completion*']);
  assert.deepEqual(c.REDACTION_ALLOWED_KEYS, []);
  const d = parseConfig({ REDACTION_RULES: 'default,ipv4', REDACTION_ALLOWED_KEYS: 'gen_ai.prompt, http.client_ip', REDACTION_DROP_KEYS: 'none' });
  assert.ok(d.REDACTION_RULES.includes('ipv4'));
  assert.deepEqual(d.REDACTION_ALLOWED_KEYS, ['gen_ai.prompt', 'http.client_ip']);
  assert.deepEqual(d.REDACTION_DROP_KEYS, []);
  assert.throws(() => parseConfig({ REDACTION_RULES: 'default,ssn' }), (e: unknown) => e instanceof ConfigError && /^REDACTION_RULES: unknown redaction rule "ssn"/.test(e.message));
  assert.throws(() => parseConfig({ REDACTION_DROP_KEYS: 'a b' }), (e: unknown) => e instanceof ConfigError && /^REDACTION_DROP_KEYS: not an attribute key/.test(e.message));
  assert.deepEqual(parseKeyList(' a.b , c.* ,'), ['a.b', 'c.*']);
});
