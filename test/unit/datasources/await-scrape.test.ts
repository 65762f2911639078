// Before a load run: wait for Prometheus's next successful scrape of the target,
// bounded by two of its scrape intervals, and never for a target it does not scrape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PrometheusClient } from '../../../lib/datasources/prometheus/client';
import type { ActiveTarget } from '../../../lib/datasources/prometheus/types';
import { awaitScrape } from '../../../lib/datasources/prometheus/views';

const BASE = 'http://127.0.0.1:8000/v1';
const target = (lastScrapeMs: number, health: ActiveTarget['health'] = 'up', scrapeIntervalS = 1): ActiveTarget => ({
  labels: { job: 'sandbox', instance: '127.0.0.1:8000' },
  scrapePool: 'sandbox',
  scrapeUrl: 'http://127.0.0.1:8000/v1/metrics',
  health,
  lastError: '',
  lastScrapeMs,
  scrapeIntervalS,
});
/** A client whose /api/v1/targets answers come from `answers` in turn (the last one repeats). */
const client = (answers: (() => ActiveTarget[])[]) => {
  let calls = 0;
  return { c: { targets: async () => answers[Math.min(calls++, answers.length - 1)]() } as unknown as PrometheusClient, calls: () => calls };
};

test('returns once a successful scrape at or after the moment asked lands', async () => {
  const since = Date.now();
  const { c, calls } = client([() => [target(since - 500)], () => [target(since - 500, 'down')], () => [target(since + 300)]]);
  assert.deepEqual(await awaitScrape(c, BASE, { sinceMs: since, pollMs: 1 }), { status: 'scraped' });
  assert.equal(calls(), 3);
});

test('a server Prometheus does not scrape, or a Prometheus that cannot answer, is not waited for', async () => {
  const other = { ...target(0), scrapeUrl: 'http://127.0.0.1:9999/metrics' };
  assert.deepEqual(await awaitScrape(client([() => [other]]).c, BASE, { pollMs: 1 }), { status: 'not-scraped', reason: `Prometheus does not scrape ${BASE}` });
  const failing = { targets: async () => Promise.reject(new Error('connection refused')) } as unknown as PrometheusClient;
  assert.deepEqual(await awaitScrape(failing, BASE, { pollMs: 1 }), { status: 'not-scraped', reason: 'Prometheus could not list its targets: connection refused' });
});

test('gives up after two scrape intervals and a second, however long maxWaitMs allows', async () => {
  const since = Date.now();
  const t0 = Date.now();
  const r = await awaitScrape(client([() => [target(since - 10, 'up', 0.1)]]).c, BASE, { sinceMs: since, maxWaitMs: 60_000, pollMs: 20 });
  assert.equal(r.status, 'timed-out');
  assert.match(r.status === 'timed-out' ? r.reason : '', /^no successful scrape of http:\/\/127\.0\.0\.1:8000\/v1 in \d+ ms \(its last scrape .* was up\)$/);
  assert.ok(Date.now() - t0 < 5_000, `waited ${Date.now() - t0} ms`);
});

test('a Prometheus that lists no targets yet (just started: discovery delivers within 5 s) is waited for, then its scrape', async () => {
  const since = Date.now();
  const { c, calls } = client([() => [], () => [], () => [target(0, 'unknown')], () => [target(since + 200)]]);
  assert.deepEqual(await awaitScrape(c, BASE, { sinceMs: since, pollMs: 1 }), { status: 'scraped' });
  assert.equal(calls(), 4);
  const never = await awaitScrape(client([() => []]).c, BASE, { sinceMs: Date.now(), maxWaitMs: 50, pollMs: 5 });
  assert.deepEqual(never, { status: 'not-scraped', reason: 'Prometheus lists no scrape targets yet' });
});
