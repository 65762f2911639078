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

test('validation messages land on their fields, in the form\'s words, and name the limits', () => {
  const e = validateForm({ ...DEFAULT_FORM, requests: '20000', concurrency: 'abc', promptMin: '300', promptMax: '10', p0: '150' });
  assert.equal(e.requests, 'Must be at most 10,000');
  assert.equal(e.concurrency, 'Must be a number');
  assert.equal(e.promptMin, 'Must not exceed Max');
  assert.equal(e.p0, 'From 0 to 100 %');
  assert.deepEqual(errorsByField([{ path: '', message: 'x' }]), { form: 'x' });
  // No API field paths reach a person.
  for (const m of Object.values(e)) assert.ok(!/promptLength|maxTokens|p0Fraction|\.min|\.max/.test(m!), m);
});

test("the model's context length from /v1/models bounds the longest prompt plus max tokens", () => {
  // The bundled tiny sandbox: max_model_len 256, one token of it the start token.
  const fixed = { ...DEFAULT_FORM, prompt: 'fixed' as const, promptTokens: '512', maxTokens: '32' };
  const e = validateForm(fixed, 256);
  assert.equal(e.promptTokens, 'A 512-token prompt leaves no room for output in the model\'s context of 256 tokens (one is the start token); at most 254');
  assert.equal(validateForm({ ...fixed, promptTokens: '200', maxTokens: '64' }, 256).maxTokens, "A 200-token prompt + 64 output tokens exceeds the model's context of 256 tokens (one is the start token); at most 55 for this prompt length");
  assert.deepEqual(validateForm({ ...fixed, promptTokens: '200', maxTokens: '55' }, 256), {});
  // The default form fits the tiny sandbox; a range is checked at its maximum.
  assert.deepEqual(validateForm(DEFAULT_FORM, 256), {});
  assert.ok(validateForm({ ...DEFAULT_FORM, promptMax: '250' }, 256).maxTokens);
  assert.deepEqual(validateForm(fixed, null), {}, 'unknown context: only the fixed limits');
});
