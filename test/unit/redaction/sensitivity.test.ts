// Sensitivity tags: what a non-admin sees of spans marked data_class=PII, of
// marked events, and of keys on SENSITIVE_KEYS; what always stays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOCAL_ADMIN, type Viewer } from '../../../lib/auth/roles';
import { ConfigError, parseConfig } from '../../../lib/config';
import {
  SensitivityTagError,
  WITHHELD,
  carriesTag,
  isSensitiveTagName,
  mayReveal,
  parseSensitivityTag,
  sensitivityPolicy,
  withholdSpan,
  withholdSummary,
  withholdTrace,
} from '../../../lib/redaction/sensitivity';
import type { Span } from '../../../lib/model/types';

const policy = sensitivityPolicy({ key: 'data_class', value: 'PII' }, ['enduser.*', 'user.*']);

function span(over: Partial<Span> = {}): Span {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    service: 'checkout',
    name: 'lookup customer',
    kind: 'server',
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    status: 'error',
    statusMessage: 'no such customer: Jane Doe',
    attributes: {},
    resourceAttributes: { 'service.name': 'checkout', 'host.name': 'web-1' },
    events: [],
    links: [],
    ...over,
  };
}

test('a span marked data_class=PII: every value but ids, timings, the name and the tag is withheld', () => {
  const s = span({
    attributes: { data_class: 'PII', 'customer.address': '1 Main St', 'http.response.status_code': 404, 'pyroscope.profile.id': 'b7ad6b7169203331', 'trisight.redaction.phone': 1 },
    events: [{ name: 'exception', timeUnixNano: 1n, attributes: { 'exception.message': 'Jane Doe not found' } }],
    links: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), attributes: { reason: 'same customer' } }],
  });
  const w = withholdSpan(s, policy);
  assert.equal(w.name, 'lookup customer');
  assert.equal(w.spanId, s.spanId);
  assert.equal(w.endTimeUnixNano, 2n);
  assert.deepEqual(w.attributes, { data_class: 'PII', 'customer.address': WITHHELD, 'http.response.status_code': WITHHELD, 'pyroscope.profile.id': 'b7ad6b7169203331', 'trisight.redaction.phone': 1 });
  assert.equal(w.statusMessage, WITHHELD);
  assert.equal(w.events[0].attributes['exception.message'], WITHHELD);
  assert.equal(w.links[0].attributes.reason, WITHHELD);
  assert.deepEqual(w.resourceAttributes, { 'service.name': 'checkout', 'host.name': WITHHELD });
  assert.equal(s.attributes['customer.address'], '1 Main St', 'the stored span is not modified');
});

test('the tag on the resource marks every span of it; any case; in a list too', () => {
  const w = withholdSpan(span({ resourceAttributes: { 'service.name': 'crm', data_class: 'pii' }, attributes: { 'crm.note': 'x' } }), policy);
  assert.equal(w.attributes['crm.note'], WITHHELD);
  assert.ok(carriesTag({ data_class: ['internal', 'PII'] }, policy.tag));
  assert.ok(!carriesTag({ data_class: 'PUBLIC' }, policy.tag));
  assert.ok(!carriesTag({ other: 'PII' }, policy.tag));
});

test('a marked event withholds only its own attributes; SENSITIVE_KEYS are withheld anywhere', () => {
  const w = withholdSpan(
    span({
      attributes: { 'user.email': '[EMAIL]', 'enduser.id': 'u-42', 'http.route': '/customers/:id' },
      events: [
        { name: 'form', timeUnixNano: 1n, attributes: { data_class: 'PII', field: 'Jane' } },
        { name: 'retry', timeUnixNano: 2n, attributes: { attempt: 2 } },
      ],
    }),
    policy,
  );
  assert.deepEqual(w.attributes, { 'user.email': WITHHELD, 'enduser.id': WITHHELD, 'http.route': '/customers/:id' });
  assert.deepEqual(w.events[0].attributes, { data_class: 'PII', field: WITHHELD });
  assert.deepEqual(w.events[1].attributes, { attempt: 2 });
  assert.equal(w.statusMessage, 'no such customer: Jane Doe', 'an unmarked span keeps its status message');
});

test('traces and search results', () => {
  const t = withholdTrace({ traceId: 'a'.repeat(32), spans: [span({ attributes: { data_class: 'PII', k: 'v' } }), span({ spanId: 'c'.repeat(16), attributes: { k: 'v' } })] }, policy);
  assert.deepEqual(
    t.spans.map((s) => s.attributes.k),
    [WITHHELD, 'v'],
  );
  const r = withholdSummary(
    {
      traceId: 'a'.repeat(32),
      rootServiceName: 'checkout',
      rootTraceName: 'lookup',
      startTimeUnixNano: 1n,
      durationMs: 1,
      spans: [{ spanId: 'b'.repeat(16), startTimeUnixNano: 1n, durationNanos: 1n, attributes: { data_class: 'PII', 'customer.tier': 'gold' } }],
    },
    policy,
  );
  assert.equal(r.spans?.[0].attributes['customer.tier'], WITHHELD);
});

test('tag-value lookups of sensitive keys', () => {
  assert.ok(isSensitiveTagName('span.user.email', policy));
  assert.ok(isSensitiveTagName('resource.enduser.id', policy));
  assert.ok(!isSensitiveTagName('span.http.route', policy));
  assert.ok(!isSensitiveTagName('name', policy));
});

test('only admins see sensitive values; with sign-in off everyone is the local admin', () => {
  const viewer: Viewer = { id: 'u1', name: 'ann', role: 'viewer', via: 'session' };
  assert.equal(mayReveal(LOCAL_ADMIN), true);
  assert.equal(mayReveal({ ...viewer, role: 'admin' }), true);
  assert.equal(mayReveal({ ...viewer, role: 'editor' }), false);
  assert.equal(mayReveal(viewer), false);
  assert.equal(mayReveal(null), false);
});

test('SENSITIVITY_TAG syntax', () => {
  assert.deepEqual(parseSensitivityTag('data_class=PII'), { key: 'data_class', value: 'PII' });
  assert.deepEqual(parseSensitivityTag(' privacy.level = restricted '), { key: 'privacy.level', value: 'restricted' });
  for (const bad of ['PII', '=PII', 'data_class=', 'a=b=c', 'a b=c']) assert.throws(() => parseSensitivityTag(bad), SensitivityTagError, bad);
});

test('configuration: SENSITIVITY_TAG and SENSITIVE_KEYS', () => {
  const c = parseConfig({});
  assert.deepEqual(c.SENSITIVITY_TAG, { key: 'data_class', value: 'PII' });
  assert.deepEqual(c.SENSITIVE_KEYS, ['enduser.*', 'user.*']);
  const d = parseConfig({ SENSITIVITY_TAG: 'privacy=restricted', SENSITIVE_KEYS: 'none' });
  assert.deepEqual(d.SENSITIVITY_TAG, { key: 'privacy', value: 'restricted' });
  assert.deepEqual(d.SENSITIVE_KEYS, []);
  assert.throws(() => parseConfig({ SENSITIVITY_TAG: 'PII' }), (e: unknown) => e instanceof ConfigError && /^SENSITIVITY_TAG: expected key=value/.test(e.message));
});
