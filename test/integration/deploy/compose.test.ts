import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, parseConfig } from '../../../lib/config';

const compose = parse(readFileSync('docker-compose.yml', 'utf8'));

test('the app service sets only variables the configuration module knows, and they validate', () => {
  const env: Record<string, string> = compose.services.app.environment;
  const unknown = Object.keys(env).filter((k) => !(CONFIG_VARIABLES as string[]).includes(k));
  assert.deepEqual(unknown, [], `unknown variables in docker-compose.yml: ${unknown.join(', ')}`);
  const cfg = parseConfig(env);
  assert.equal(cfg.PROMETHEUS_URL, 'http://prometheus:9090');
  assert.equal(cfg.TEMPO_URL, 'http://tempo:3200');
  assert.equal(cfg.PYROSCOPE_URL, 'http://pyroscope:4040');
  assert.match(cfg.DATABASE_URL ?? '', /^postgresql:\/\/.*@postgres:5432\//);
});

test('every backend the app reads from is a service of the compose file, on the port the app is given', () => {
  const env: Record<string, string> = compose.services.app.environment;
  for (const v of ['PROMETHEUS_URL', 'TEMPO_URL', 'PYROSCOPE_URL', 'SANDBOX_URL', 'DATABASE_URL']) {
    const u = new URL(env[v]);
    assert.ok(compose.services[u.hostname], `${v} points at ${u.hostname}, which is no service`);
  }
});

test('the sandbox sends traces to Tempo\'s OTLP/HTTP port and profiles to Pyroscope', () => {
  const env = compose.services.sandbox.environment;
  assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://tempo:4318');
  assert.equal(env.PYROSCOPE_SERVER_ADDRESS, 'http://pyroscope:4040');
  const tempo = parse(readFileSync('deploy/tempo.yaml', 'utf8'));
  assert.equal(tempo.distributor.receivers.otlp.protocols.http.endpoint, '0.0.0.0:4318');
  assert.deepEqual(tempo.overrides.defaults.metrics_generator.processors, ['local-blocks']);
});

test('Prometheus runs with exemplar storage and a config that promtool accepts, scraping the sandbox', () => {
  assert.ok(compose.services.prometheus.command.some((c: string) => c.includes('exemplar-storage')));
  const prom = parse(readFileSync('deploy/prometheus.yml', 'utf8'));
  assert.deepEqual(prom.scrape_configs[0].static_configs[0].targets, ['sandbox:8100']);
  assert.ok(existsSync('/usr/bin/promtool'), 'promtool comes with Debian\'s prometheus package');
  const out = execFileSync('/usr/bin/promtool', ['check', 'config', 'deploy/prometheus.yml'], { encoding: 'utf8' });
  assert.match(out, /SUCCESS/);
});

test('the app is never published unauthenticated on all interfaces', () => {
  const app = compose.services.app;
  const cfg = parseConfig(app.environment);
  assert.notEqual(cfg.AUTH_MODE, 'off', 'HOST=0.0.0.0 in the container needs sign-in');
  for (const p of app.ports as string[]) assert.match(p, /^127\.0\.0\.1:/, `published beyond loopback: ${p}`);
  for (const [name, svc] of Object.entries(compose.services) as [string, { ports?: string[] }][]) {
    if (name === 'app') continue;
    // Backends without authentication of their own stay on loopback too.
    for (const p of svc.ports ?? []) assert.match(p, /^127\.0\.0\.1:/, `${name} published beyond loopback: ${p}`);
  }
});
