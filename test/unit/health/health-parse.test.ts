import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildInfoVersion, postgresVersion, redactUrl, sandboxDetail } from '../../../lib/health';

test('redactUrl drops credentials, query and fragment', () => {
  assert.equal(redactUrl('postgresql://postgres:pw@127.0.0.1:5432/trisight?sslmode=disable'), 'postgresql://127.0.0.1:5432/trisight');
  assert.equal(redactUrl('https://user:token@prom.example:9090/'), 'https://prom.example:9090');
  assert.equal(redactUrl('http://tempo:3200/prefix#x'), 'http://tempo:3200/prefix');
  assert.equal(redactUrl('not a url'), '(invalid URL)');
});

test('Postgres version from select version()', () => {
  assert.equal(postgresVersion('PostgreSQL 18.0 on x86_64-pc-linux-gnu, compiled by gcc (GCC) 12.2.0, 64-bit'), '18.0');
  assert.equal(postgresVersion('PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on x86_64-pc-linux-gnu'), '16.4');
  assert.equal(postgresVersion('CockroachDB CCL v23'), undefined);
});

test('buildinfo: Prometheus/Pyroscope envelope and Tempo flat body', () => {
  assert.equal(buildInfoVersion({ status: 'success', data: { version: '2.42.0', revision: 'x' } }), '2.42.0');
  assert.equal(buildInfoVersion({ version: '2.6.1', revision: 'abc' }), '2.6.1');
  assert.equal(buildInfoVersion({ status: 'success', data: {} }), undefined);
  assert.equal(buildInfoVersion(null), undefined);
  assert.equal(buildInfoVersion({ version: 42 }), undefined);
});

test('sandbox detail keeps known fields only, as text', () => {
  assert.equal(sandboxDetail({ backend: 'cpu', adapter: 'none', preset: 'vllm', secret: 'x' }), 'backend cpu · adapter none · preset vllm');
  assert.equal(sandboxDetail({ backend: 'webgpu', adapter: { name: 'SwiftShader' } }), 'backend webgpu · adapter SwiftShader');
  assert.equal(sandboxDetail({}), undefined);
  assert.equal(sandboxDetail('ok'), undefined);
});
