import assert from 'node:assert/strict';
import { test } from 'node:test';
import { embeddedPrometheusYaml, scrapeConfig, ScrapeTargetError } from '../../../lib/datasources/prometheus/embedded-config';

test('a target URL becomes scheme, host:port and <prefix>/metrics', () => {
  assert.deepEqual(scrapeConfig({ job: 'sandbox', url: 'http://127.0.0.1:8100', labels: { target: 'sandbox' }, interval: '1s' }), {
    job_name: 'sandbox',
    scheme: 'http',
    metrics_path: '/metrics',
    scrape_interval: '1s',
    scrape_timeout: '1s',
    static_configs: [{ targets: ['127.0.0.1:8100'], labels: { target: 'sandbox' } }],
  });
  const behindProxy = scrapeConfig({ job: 'vllm', url: 'https://gpu-box.internal/llm/' });
  assert.equal(behindProxy.scheme, 'https');
  assert.equal(behindProxy.metrics_path, '/llm/metrics');
  assert.deepEqual(behindProxy.static_configs[0].targets, ['gpu-box.internal:443']);
  assert.deepEqual(scrapeConfig({ job: 'v6', url: 'http://[::1]:9000' }).static_configs[0].targets, ['[::1]:9000']);
});

test('bad targets are refused by name', () => {
  assert.throws(() => scrapeConfig({ job: 'x', url: 'not a url' }), (e: Error) => e instanceof ScrapeTargetError && /x: not a URL/.test(e.message));
  assert.throws(() => scrapeConfig({ job: 'x', url: 'ftp://host/' }), /only http and https/);
  assert.throws(() => embeddedPrometheusYaml({ interval: '5s', ruleFiles: [], targets: [{ job: 'a', url: 'http://h:1' }, { job: 'a', url: 'http://h:2' }] }), /two scrape jobs named "a"/);
});
