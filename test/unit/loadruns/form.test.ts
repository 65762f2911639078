import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FORM, errorsByField, formFromSearch, formToBody, formToSearch, validateForm } from '../../../lib/loadruns/form';

test('the form round-trips through the URL, writing only what differs from the defaults', () => {
  const f = { ...DEFAULT_FORM, requests: '500', prompt: 'fixed' as const, promptTokens: '64' };
  const qs = formToSearch(f);
  assert.equal(qs.toString(), 'requests=500&prompt=fixed&promptTokens=64');
  const back = formFromSearch((k) => qs.get(k));
  assert.deepEqual(back, f);
  assert.deepEqual(formFromSearch(() => null), DEFAULT_FORM);
});

test('the body has numbers, the prompt mode and P0 as a fraction', () => {
  const b = formToBody({ ...DEFAULT_FORM, p0: '25', sloTtftMs: '500' });
  assert.equal(b.requests, 100);
  assert.equal(b.p0Fraction, 0.25);
  assert.deepEqual(b.promptLength, { mode: 'range', min: 32, max: 192 });
  assert.deepEqual(b.slo, { ttftMs: 500, tpotMs: undefined });
  assert.deepEqual(validateForm(DEFAULT_FORM), {});
});

test('validation messages land on their fields and name the limits', () => {
  const e = validateForm({ ...DEFAULT_FORM, requests: '20000', concurrency: 'abc', promptMin: '300', promptMax: '10', p0: '150' });
  assert.equal(e.requests, 'requests must be at most 10,000');
  assert.equal(e.concurrency, 'concurrency must be a number');
  assert.equal(e.promptMin, 'promptLength.min must not exceed promptLength.max');
  assert.equal(e.p0, 'P0 share must be from 0 to 100 %');
  assert.deepEqual(errorsByField([{ path: '', message: 'x' }]), { form: 'x' });
});
