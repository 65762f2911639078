import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderToStaticMarkup } from 'react-dom/server';
import { LatencyHistogram } from '../../../components/histogram/LatencyHistogram';
import { TraceWaterfall } from '../../../components/trace/TraceWaterfall';
import { ComponentCard } from '../../../components/status/StatusBoard';
import { Panel } from '../../../components/ui/Panel';
import { BackendError, type HistogramSeries, type Span, type Trace } from '../../../lib/model/types';

// Server-rendered markup of the shared components: what a keyboard or screen
// reader user gets, and proof that telemetry strings arrive as text, not HTML.

const XSS = '<img src=x onerror=alert(1)>';
const T0 = 1_763_791_200_000_000_000n;

function span(id: string, parent: string | undefined, startMs: number, endMs: number, extra: Partial<Span> = {}): Span {
  return {
    traceId: 'f'.repeat(32),
    spanId: id.padStart(16, '0'),
    parentSpanId: parent?.padStart(16, '0'),
    service: 'sandbox',
    name: `span-${id}`,
    kind: 'server',
    startTimeUnixNano: T0 + BigInt(startMs) * 1_000_000n,
    endTimeUnixNano: T0 + BigInt(endMs) * 1_000_000n,
    status: 'unset',
    attributes: {},
    resourceAttributes: {},
    events: [],
    links: [],
    ...extra,
  };
}

test('TraceWaterfall: span names, attributes and events from telemetry render as text', () => {
  const trace: Trace = {
    traceId: 'f'.repeat(32),
    spans: [
      span('1', undefined, 0, 100, { name: XSS, service: 'sandbox' }),
      span('2', '1', 10, 60, { name: 'decode', status: 'error', statusMessage: XSS }),
    ],
  };
  const html = renderToStaticMarkup(<TraceWaterfall trace={trace} selectedSpanId={'2'.padStart(16, '0')} />);
  assert.ok(!html.includes('<img'), 'no live <img> element');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  // Selected span is marked for assistive tech; both spans are buttons.
  assert.equal((html.match(/data-span-button/g) ?? []).length, 2);
  assert.match(html, /aria-pressed="true"[^>]*>[\s\S]*?decode/);
  assert.match(html, /1 with errors/);
  assert.match(html, /2 spans/);
});

test('TraceWaterfall: an empty trace says so', () => {
  const html = renderToStaticMarkup(<TraceWaterfall trace={{ traceId: 'a'.repeat(32), spans: [] }} />);
  assert.match(html, /This trace has no spans/);
});

const SERIES: HistogramSeries = {
  labels: { model: XSS },
  buckets: [
    { lower: 0, upper: 0.1, count: 3 },
    { lower: 0.1, upper: 0.5, count: 6 },
    { lower: 0.5, upper: Infinity, count: 1 },
  ],
  count: 10,
  sum: 2,
  exemplars: [{ labels: { trace_id: XSS }, value: 0.3, timestamp: 0 }],
};

test('LatencyHistogram: the bucket table offers one button per bucket and marks the selected one', () => {
  const html = renderToStaticMarkup(
    <LatencyHistogram label="End-to-end latency" series={SERIES} clientLatenciesMs={[50, 200, 700]} selected={{ lower: 0.1, upper: 0.5 }} onBucketClick={() => {}} />,
  );
  assert.equal((html.match(/data-testid="histogram-bucket-button"/g) ?? []).length, 3);
  assert.equal((html.match(/aria-pressed="true"/g) ?? []).length, 1);
  assert.match(html, /data-total="10"/);
  assert.match(html, /data-client-total="3"/);
  assert.match(html, /Server: 10 requests; p50 ≈ [\d.]+ ms · p90 ≈ [\d.]+ ms · p99 ≈ [\d.]+ ms, interpolated within their buckets \(p50 in 100 ms – 500 ms/);
  assert.match(html, /Client: 3 requests measured by the load generator; p50 200 ms · p90 600 ms · p99 690 ms, exact/);
  assert.ok(!html.includes('<img'));
});

test('LatencyHistogram: estimated counts are shown rounded with ≈, exact percentiles as they are', () => {
  const estimate = { ...SERIES, buckets: SERIES.buckets.map((b) => ({ ...b, count: b.count * 1.57 })), count: 15.7 };
  const html = renderToStaticMarkup(
    <LatencyHistogram
      label="End-to-end latency"
      series={estimate}
      counts={{ kind: 'estimate', total: 15.7, how: 'estimated from 10 sampled request spans', spans: 10 }}
      serverPercentiles={[{ name: 'p50', q: 0.5, valueMs: 212, method: 'exact' }]}
      onBucketClick={() => {}}
    />,
  );
  assert.match(html, /Server: ≈ 16 requests \(estimated from 10 sampled request spans\); p50 212 ms, exact, from every request\./);
  assert.ok(!/\d\.\d+ requests/.test(html), 'no fractional request counts');
  assert.match(html, /<td[^>]*>≈ 9<\/td>/, 'the table rounds estimated bucket counts');
});

test('LatencyHistogram: no data → the empty text, no chart', () => {
  const html = renderToStaticMarkup(<LatencyHistogram label="TTFT" series={{ ...SERIES, buckets: [], count: 0 }} emptyText="Run a load to see latencies." />);
  assert.match(html, /latency-histogram-empty/);
  assert.match(html, /Run a load to see latencies\./);
});

test('Panel: a backend error names the backend; empty and loading states replace the content', () => {
  const err = renderToStaticMarkup(
    <Panel title="Latency" source="Prometheus" error={new BackendError('prometheus', 503, 'query timed out')} onRetry={() => {}}>
      <p>content</p>
    </Panel>,
  );
  assert.match(err, /Prometheus: query timed out \(HTTP 503\)/);
  assert.match(err, /Retry/);
  assert.ok(!err.includes('content'));
  const empty = renderToStaticMarkup(
    <Panel title="Latency" empty="No runs yet.">
      <p>content</p>
    </Panel>,
  );
  assert.match(empty, /No runs yet\./);
  assert.ok(!empty.includes('content'));
  const loading = renderToStaticMarkup(<Panel title="Latency" loading />);
  assert.match(loading, /Loading…/);
  const ok = renderToStaticMarkup(
    <Panel title="Latency" source="Embedded (Postgres)">
      <p>content</p>
    </Panel>,
  );
  assert.match(ok, /content/);
  assert.match(ok, /Embedded \(Postgres\)/);
});

test('Status card: an unreachable component shows its error and what to do', () => {
  const html = renderToStaticMarkup(
    <ComponentCard
      c={{
        name: 'prometheus',
        label: 'Prometheus',
        state: 'unreachable',
        mode: 'external',
        target: 'http://127.0.0.1:9',
        error: 'cannot reach prometheus at http://127.0.0.1:9: ECONNREFUSED',
        hint: 'Check that PROMETHEUS_URL (http://127.0.0.1:9) points at a running Prometheus, or unset it to use the embedded store.',
        latencyMs: 3,
      }}
    />,
  );
  assert.match(html, /data-state="unreachable"/);
  assert.match(html, /Unreachable/);
  assert.match(html, /role="alert"[\s\S]*ECONNREFUSED[\s\S]*Check that PROMETHEUS_URL/);
});
