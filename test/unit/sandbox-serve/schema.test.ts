import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTokenLimits, limitsFor, parseCompletion } from '../../../workers/sandbox/serve/schema';
import { parseSandboxEnv, SandboxEnvError } from '../../../workers/sandbox/serve/env';
import { DEFAULT_RULES } from '../../../lib/redaction';

const limits = limitsFor(256, 258);

test('defaults follow the OpenAI completions API', () => {
  const r = parseCompletion({ model: 'm', prompt: 'hi' }, limits);
  assert.ok(r.ok);
  if (r.ok) {
    assert.equal(r.value.max_tokens, 16);
    assert.equal(r.value.temperature, 1);
    assert.equal(r.value.stream, false);
    assert.equal(r.value.priority, 'P1');
    assert.equal(r.value.ignore_eos, false);
  }
});

const BAD: [unknown, string | null, RegExp][] = [
  [null, null, /JSON object/],
  [[1, 2], null, /JSON object/],
  [{ prompt: 'x' }, 'model', /model/],
  [{ model: 'm', prompt: 5 }, 'prompt', /prompt must be a string/],
  [{ model: 'm', prompt: ['a', 'b'] }, 'prompt', /only one prompt/],
  [{ model: 'm', prompt: 'x', max_tokens: 1.5 }, 'max_tokens', /integer/],
  [{ model: 'm', prompt: 'x', max_tokens: 256 }, 'max_tokens', /at most 255/],
  [{ model: 'm', prompt: 'x', top_k: 300 }, 'top_k', /at most 258/],
  [{ model: 'm', prompt: 'x', temperature: -1 }, 'temperature', /at least 0/],
  [{ model: 'm', prompt: 'x', seed: -3 }, 'seed', /at least 0/],
  [{ model: 'm', prompt: 'x', n: 2 }, 'n', /only 1/],
  [{ model: 'm', prompt: 'x', priority: 'high' }, 'priority', /"P0" or "P1"/],
];

test('each bad field is named with its limit', () => {
  for (const [body, param, message] of BAD) {
    const r = parseCompletion(body, limits);
    assert.equal(r.ok, false, JSON.stringify(body));
    if (!r.ok) {
      assert.equal(r.error.status, 400);
      assert.equal(r.error.body.error.param, param, JSON.stringify(body));
      assert.match(r.error.body.error.message, message);
      if (param) assert.ok(r.error.body.error.message.includes(param), r.error.body.error.message);
    }
  }
});

test('token limits: prompt, and prompt + max_tokens against the context', () => {
  assert.equal(checkTokenLimits(10, 100, limits), undefined);
  assert.equal(checkTokenLimits(255, 1, limits), undefined);
  const p = checkTokenLimits(256, 1, limits);
  assert.equal(p?.body.error.param, 'prompt');
  assert.match(p!.body.error.message, /256 tokens; the limit is 255/);
  const m = checkTokenLimits(200, 100, limits);
  assert.equal(m?.body.error.param, 'max_tokens');
  assert.match(m!.body.error.message, /200 tokens\) \+ max_tokens \(100\) exceeds the context length of 256/);
});

test('sandbox environment: defaults and one line per bad variable', () => {
  const o = parseSandboxEnv({});
  assert.equal(o.port, 8100);
  assert.equal(o.host, '127.0.0.1');
  assert.equal(o.backend, 'auto');
  assert.equal(o.preset, 'tiny');
  assert.equal(o.threads, 1);
  assert.equal(o.telemetry?.recordPrompts, false);
  assert.equal(o.telemetry?.otlpEndpoint, undefined);
  const t = parseSandboxEnv({
    SANDBOX_PORT: '0',
    SANDBOX_PRESET: 'small',
    SANDBOX_THREADS: '2',
    SANDBOX_RECORD_PROMPTS: '1',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:3000/',
    PYROSCOPE_SERVER_ADDRESS: 'http://127.0.0.1:3000',
    TELEMETRY_TENANT: 'team-a',
    UNRELATED: 'ignored',
  });
  assert.equal(t.port, 0);
  assert.equal(t.preset, 'small');
  assert.equal(t.threads, 2);
  assert.equal(t.telemetry?.recordPrompts, true);
  assert.equal(t.telemetry?.otlpEndpoint, 'http://127.0.0.1:3000');
  assert.deepEqual(t.telemetry?.otlpHeaders, { 'X-Scope-OrgID': 'team-a' });
  assert.equal(t.telemetry?.pyroscopeTenantId, 'team-a');
  assert.deepEqual(o.telemetry?.redactionRules, DEFAULT_RULES);
  assert.deepEqual(parseSandboxEnv({ SANDBOX_REDACTION_RULES: 'default,ipv4,-phone' }).telemetry?.redactionRules, [...DEFAULT_RULES.filter((r) => r !== 'phone'), 'ipv4']);
  assert.throws(() => parseSandboxEnv({ SANDBOX_REDACTION_RULES: 'emails' }), (e: Error) => /^SANDBOX_REDACTION_RULES: unknown redaction rule "emails"/.test(e.message));
  assert.throws(() => parseSandboxEnv({ SANDBOX_THREADS: '4' }), (e: Error) => /^SANDBOX_THREADS: /.test(e.message));
  assert.throws(() => parseSandboxEnv({ SANDBOX_BACKEND: 'tpu' }), (e: Error) => e instanceof SandboxEnvError && /^SANDBOX_BACKEND: /.test(e.message) && !e.message.includes('\n'));
  assert.throws(() => parseSandboxEnv({ SANDBOX_PORT: '70000', OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' }), (e: Error) => /SANDBOX_PORT: .*; OTEL_EXPORTER_OTLP_ENDPOINT: expected an http\(s\) URL/.test(e.message));
});
