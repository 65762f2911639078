import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeIssues, LoadParams } from '../../../lib/loadgen/params';

const ok = { requests: 30, concurrency: 4, promptLength: { mode: 'fixed', tokens: 32 }, maxTokens: 16, temperature: 0.7, p0Fraction: 0.5 };

test('valid parameters get their defaults', () => {
  const p = LoadParams.parse(ok);
  assert.equal(p.seed, 1);
  assert.equal(p.maxDurationS, 600);
  assert.deepEqual(p.slo, {});
});

test('each limit is named in its message', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ requests: 10_001 }, 'requests must be at most 10,000'],
    [{ requests: 0 }, 'requests must be at least 1'],
    [{ concurrency: 65 }, 'concurrency must be at most 64'],
    [{ concurrency: 2.5 }, 'concurrency must be a whole number'],
    [{ maxTokens: 5000 }, 'maxTokens must be at most 2,048'],
    [{ temperature: 3 }, 'temperature must be at most 2'],
    [{ p0Fraction: 1.5 }, 'p0Fraction must be at most 1'],
    [{ promptLength: { mode: 'range', min: 50, max: 10 } }, 'promptLength.min must not exceed promptLength.max'],
    [{ promptLength: { mode: 'fixed', tokens: 5000 } }, 'promptLength.tokens must be at most 4,096'],
    [{ url: 'http://evil.example' }, 'unknown field(s) "url"'],
    [{ requests: '30' }, 'requests must be a number'],
  ];
  for (const [patch, msg] of cases) {
    const r = LoadParams.safeParse({ ...ok, ...patch });
    assert.ok(!r.success, JSON.stringify(patch));
    const lines = describeIssues(r.error).map((i) => i.message);
    assert.ok(lines.some((l) => l.includes(msg)), `${JSON.stringify(patch)} → ${lines.join(' | ')}`);
  }
});

test('promptMix: whole percents that add up to 100; absent means all natural text', () => {
  const base = { requests: 1, concurrency: 1, promptLength: { mode: 'fixed', tokens: 8 }, maxTokens: 4, temperature: 0, p0Fraction: 0 };
  assert.deepEqual(LoadParams.parse(base).promptMix, { natural: 100, repeated: 0, random: 0 });
  assert.deepEqual(LoadParams.parse({ ...base, promptMix: { natural: 60, repeated: 20, random: 20 } }).promptMix, { natural: 60, repeated: 20, random: 20 });
  const bad = LoadParams.safeParse({ ...base, promptMix: { natural: 60, repeated: 30, random: 20 } });
  assert.equal(bad.success, false);
  assert.match(describeIssues(bad.error!)[0].message, /promptMix: the shares of natural, repeated and random prompts must add up to 100 %/);
  const neg = LoadParams.safeParse({ ...base, promptMix: { natural: 110, repeated: -10, random: 0 } });
  assert.ok(describeIssues(neg.error!).some((i) => i.path === 'promptMix.repeated'));
  assert.equal(LoadParams.safeParse({ ...base, promptMix: { natural: 100, junk: 0 } }).success, false);
});
