// The embedded Prometheus's configuration, checked by the real promtool.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { embeddedPrometheusYaml } from '../../../lib/datasources/prometheus/embedded-config';

test('the whole file is YAML that promtool accepts, hostile label values included', () => {
  const yaml = embeddedPrometheusYaml({
    interval: '5s',
    ruleFiles: ['rules/*.yml'],
    targets: [
      { job: 'sandbox', url: 'http://127.0.0.1:8100', labels: { target: 'sandbox' }, interval: '1s' },
      { job: 'trisight', url: 'http://127.0.0.1:3000' },
      { job: 'load-target-evil', url: 'http://127.0.0.1:9', labels: { target: `a"b\n- job_name: injected` } },
    ],
  });
  const doc = parse(yaml);
  assert.equal(doc.scrape_configs.length, 3);
  assert.equal(doc.scrape_configs[2].static_configs[0].labels.target, `a"b\n- job_name: injected`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trisight-promcfg-'));
  try {
    writeFileSync(path.join(dir, 'prometheus.yml'), yaml);
    execFileSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
