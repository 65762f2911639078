import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, durationToMs, parseConfig } from '../../../lib/config';

test('an empty environment means embedded everything with defaults', () => {
  const c = parseConfig({});
  assert.equal(c.PROMETHEUS_URL, undefined);
  assert.equal(c.PORT, 3000);
  assert.equal(c.EMBEDDED_RETENTION, '24h');
  assert.match(c.dataDir, /\.trisight$/);
});

test('a bad URL names the variable and the value in one line', () => {
  assert.throws(() => parseConfig({ PROMETHEUS_URL: 'not a url' }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.message, 'PROMETHEUS_URL: not a URL: "not a url"');
    return true;
  });
});

test('several bad values are all reported, one per line', () => {
  assert.throws(() => parseConfig({ PORT: '99999', TEMPO_URL: 'ftp//x' }), (e: Error) => e.message.split('\n').length === 2);
});

test('trailing slashes are dropped and empty strings mean unset', () => {
  const c = parseConfig({ TEMPO_URL: 'http://tempo:3200/', PYROSCOPE_URL: '' });
  assert.equal(c.TEMPO_URL, 'http://tempo:3200');
  assert.equal(c.PYROSCOPE_URL, undefined);
});

test('load targets parse as name=url|preset', () => {
  const c = parseConfig({ LOAD_TARGETS: 'vllm-a=http://10.0.0.1:8000|vllm, tgi=http://h:80|tgi' });
  assert.deepEqual(c.LOAD_TARGETS, [
    { name: 'vllm-a', url: 'http://10.0.0.1:8000', preset: 'vllm' },
    { name: 'tgi', url: 'http://h:80', preset: 'tgi' },
  ]);
  assert.throws(() => parseConfig({ LOAD_TARGETS: 'nourl' }), /LOAD_TARGETS/);
});

test('durations convert to milliseconds', () => {
  assert.equal(durationToMs('24h'), 86_400_000);
  assert.equal(durationToMs('90s'), 90_000);
});

test('the profile flush interval: 15 s by default, the sandbox bounds (1 s – 10 min), a bad value refused in one line', () => {
  assert.equal(parseConfig({}).PYROSCOPE_FLUSH_INTERVAL_MS, 15_000);
  assert.equal(parseConfig({ PYROSCOPE_FLUSH_INTERVAL_MS: '5000' }).PYROSCOPE_FLUSH_INTERVAL_MS, 5000);
  assert.throws(() => parseConfig({ PYROSCOPE_FLUSH_INTERVAL_MS: 'soon' }), /^Error: PYROSCOPE_FLUSH_INTERVAL_MS: /);
  assert.throws(() => parseConfig({ PYROSCOPE_FLUSH_INTERVAL_MS: '500' }), /PYROSCOPE_FLUSH_INTERVAL_MS: .*1000/);
});

test('PROMETHEUS_BIN: unset by default, kept as given', () => {
  assert.equal(parseConfig({}).PROMETHEUS_BIN, undefined);
  assert.equal(parseConfig({ PROMETHEUS_BIN: '/opt/prometheus/prometheus' }).PROMETHEUS_BIN, '/opt/prometheus/prometheus');
});
