import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bracketingScrapes, counterDelta, coveringRange, findTarget, sumBy } from '../../../lib/datasources/prometheus/scrape-deltas';
import { parsePromDurationS, parseTargetsData } from '../../../lib/datasources/prometheus/parse';
import type { ActiveTarget } from '../../../lib/datasources/prometheus/types';

const T = 1_700_000_000_000;

test('counterDelta: growth between the two scrapes, exact, with no extrapolation', () => {
  // The bracketing scrapes at T and T+4000; a sample outside them is ignored.
  assert.equal(counterDelta([[T - 1000, 5], [T, 10], [T + 1000, 12], [T + 2000, 20], [T + 4000, 30], [T + 5000, 99]], T, T + 4000), 20);
  // A series that did not exist at the first scrape grew from 0 (prom-client creates it at its first observation).
  assert.equal(counterDelta([[T + 1000, 1], [T + 2000, 5], [T + 3000, 8], [T + 4000, 40]], T, T + 4000), 40);
  // A reset (the server restarted): the value after the drop is all growth.
  assert.equal(counterDelta([[T, 10], [T + 1000, 15], [T + 2000, 3], [T + 4000, 7]], T, T + 4000), 5 + 3 + 4);
  // Order of the samples does not matter; nothing in the window is 0.
  assert.equal(counterDelta([[T + 4000, 9], [T, 4]], T, T + 4000), 5);
  assert.equal(counterDelta([[T - 1000, 4]], T, T + 4000), 0);
});

test('sumBy: per-series growth summed by one label (a missing label is its own empty group), or in total', () => {
  const d: { labels: Record<string, string>; value: number }[] = [
    { labels: { le: '0.1', code: '200' }, value: 2 },
    { labels: { le: '0.1', code: '500' }, value: 1 },
    { labels: { le: '+Inf' }, value: 4 },
    { labels: {}, value: 5 },
  ];
  assert.deepEqual(sumBy(d, 'le'), [
    { labels: { le: '0.1' }, value: 3 },
    { labels: { le: '+Inf' }, value: 4 },
    { labels: { le: '' }, value: 5 },
  ]);
  assert.deepEqual(sumBy(d), [{ labels: {}, value: 12 }]);
});

test('bracketingScrapes: the last successful scrape at or before the start, the first at or after the end', () => {
  const up: [number, number][] = [[T - 2000, 1], [T - 1000, 0], [T, 1], [T + 1000, 1], [T + 5000, 0], [T + 6000, 1], [T + 7000, 1]];
  assert.deepEqual(bracketingScrapes(up, T + 500, T + 4500), { before: T, after: T + 6000 });
  assert.deepEqual(bracketingScrapes(up, T, T + 1000), { before: T, after: T + 1000 }, 'a scrape exactly at an edge brackets it');
  assert.deepEqual(bracketingScrapes(up, T - 3000, T + 8000), { before: null, after: null });
});

test('coveringRange keeps the first scrape in Prometheus 2.x and 3.x range selectors', () => {
  assert.equal(coveringRange(T, T + 4000), '4001ms');
  assert.equal(coveringRange(T, T), '1ms');
});

const target = (scrapeUrl: string): ActiveTarget => ({ labels: { job: 'j', instance: 'i' }, scrapePool: 'j', scrapeUrl, health: 'up', lastError: '', lastScrapeMs: T, scrapeIntervalS: 1 });

test('findTarget matches scheme, host, port and a path under the base URL', () => {
  const ts = [target('http://127.0.0.1:8100/metrics'), target('http://vllm:8000/v1/metrics'), target('https://secure:443/metrics')];
  assert.equal(findTarget(ts, 'http://127.0.0.1:8100')?.scrapeUrl, 'http://127.0.0.1:8100/metrics');
  assert.equal(findTarget(ts, 'http://vllm:8000/v1/')?.scrapeUrl, 'http://vllm:8000/v1/metrics');
  assert.equal(findTarget(ts, 'http://localhost:8100'), undefined, 'localhost is not taken for 127.0.0.1');
  assert.equal(findTarget(ts, 'http://127.0.0.1:8101'), undefined);
  assert.equal(findTarget(ts, 'https://secure')?.scrapeUrl, 'https://secure:443/metrics', 'a default port written out matches');
  assert.equal(findTarget(ts, 'not a url'), undefined);
});

test('parseTargetsData: the documented /api/v1/targets shape', () => {
  // docs/querying/api.md, "Targets" example (Prometheus 2.42), one target.
  const data = {
    activeTargets: [
      {
        discoveredLabels: { __address__: '127.0.0.1:9090', __metrics_path__: '/metrics', __scheme__: 'http', job: 'prometheus' },
        labels: { instance: '127.0.0.1:9090', job: 'prometheus' },
        scrapePool: 'prometheus',
        scrapeUrl: 'http://127.0.0.1:9090/metrics',
        globalUrl: 'http://example-prometheus:9090/metrics',
        lastError: '',
        lastScrape: '2017-01-17T15:07:44.723715405+01:00',
        lastScrapeDuration: 0.050688943,
        health: 'up',
        scrapeInterval: '1m',
        scrapeTimeout: '10s',
      },
    ],
    droppedTargets: [],
  };
  const [t] = parseTargetsData(data);
  assert.deepEqual(t, {
    labels: { instance: '127.0.0.1:9090', job: 'prometheus' },
    scrapePool: 'prometheus',
    scrapeUrl: 'http://127.0.0.1:9090/metrics',
    health: 'up',
    lastError: '',
    lastScrapeMs: Date.parse('2017-01-17T14:07:44.723Z'),
    scrapeIntervalS: 60,
  });
  // Before its first scrape a target reports Go's zero time.
  assert.equal(parseTargetsData({ activeTargets: [{ ...data.activeTargets[0], lastScrape: '0001-01-01T00:00:00Z', health: 'unknown' }] })[0].lastScrapeMs, 0);
  assert.throws(() => parseTargetsData({ activeTargets: [{ labels: {} }] }), /scrapeUrl/);
});

test('parsePromDurationS', () => {
  assert.equal(parsePromDurationS('1s'), 1);
  assert.equal(parsePromDurationS('1m30s'), 90);
  assert.equal(parsePromDurationS('500ms'), 0.5);
  assert.ok(Number.isNaN(parsePromDurationS('soon')));
  assert.ok(Number.isNaN(parsePromDurationS(undefined)));
});
