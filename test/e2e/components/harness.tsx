// Browser entry for the component tests: renders the shared components with
// the data the test puts in window.__harness, and records their callbacks in
// window.__events. Bundled by components.test.ts with esbuild; not part of the app.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { LatencyHistogram, type BucketRange } from '../../../components/histogram/LatencyHistogram';
import { BlockHitRateBars } from '../../../components/quality/QualitySignalView';
import { TraceWaterfall } from '../../../components/trace/TraceWaterfall';
import { Panel } from '../../../components/ui/Panel';
import { Table } from '../../../components/ui/Table';
import { Tabs } from '../../../components/ui/Tabs';
import type { HistogramSeries, Span, Trace } from '../../../lib/model/types';
import type { BlockHitRates } from '../../../lib/runs/quality';

type WireSpan = Omit<Span, 'startTimeUnixNano' | 'endTimeUnixNano' | 'events'> & {
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  events: { name: string; timeUnixNano: string; attributes: Span['attributes'] }[];
};
interface HarnessData {
  series: Record<'e2e' | 'ttft', HistogramSeries>;
  client: number[];
  trace: { traceId: string; spans: WireSpan[] };
  blocks: BlockHitRates;
}
declare global {
  interface Window {
    __harness: HarnessData;
    __events: unknown[];
  }
}

// JSON has no Infinity or bigint: the test sends them as strings.
const revive = (s: HistogramSeries): HistogramSeries => ({ ...s, buckets: s.buckets.map((b) => ({ ...b, upper: Number(b.upper) })) });
const toTrace = (t: HarnessData['trace']): Trace => ({
  traceId: t.traceId,
  spans: t.spans.map((s) => ({
    ...s,
    startTimeUnixNano: BigInt(s.startTimeUnixNano),
    endTimeUnixNano: BigInt(s.endTimeUnixNano),
    events: s.events.map((e) => ({ ...e, timeUnixNano: BigInt(e.timeUnixNano) })),
  })),
});

function App() {
  const d = window.__harness;
  const [tab, setTab] = useState<'e2e' | 'ttft'>('e2e');
  const [bucket, setBucket] = useState<BucketRange | null>(null);
  const [span, setSpan] = useState<string | null>(null);
  const trace = toTrace(d.trace);
  return (
    <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 16, padding: 16 }}>
      <Panel title="Latency" source="Prometheus" subtitle="harness" actions={<Tabs label="Latency metric" items={[{ key: 'e2e', label: 'End-to-end' }, { key: 'ttft', label: 'TTFT' }]} value={tab} onChange={setTab} />}>
        <LatencyHistogram
          label={tab === 'e2e' ? 'End-to-end latency' : 'Time to first token'}
          series={revive(d.series[tab])}
          clientLatenciesMs={tab === 'e2e' ? d.client : undefined}
          selected={bucket}
          onBucketClick={(b) => {
            window.__events.push({ type: 'bucket', ...b, upper: String(b.upper) });
            setBucket(b);
          }}
          onExemplarClick={(e) => window.__events.push({ type: 'exemplar', traceId: e.labels.trace_id })}
        />
      </Panel>
      <Panel title="Trace" source="Tempo">
        <TraceWaterfall
          trace={trace}
          selectedSpanId={span}
          onSpanSelect={(id) => {
            window.__events.push({ type: 'span', spanId: id });
            setSpan(id);
          }}
        />
      </Panel>
      <Panel title="Tables" testId="tables">
        <Table
          caption="Harness runs"
          rows={[
            { id: 'r1', target: 'sandbox', rps: 2.5 },
            { id: 'r2', target: XSS_TEXT, rps: 0.25 },
          ]}
          rowKey={(r) => r.id}
          rowProps={(r) => ({ 'data-testid': 'harness-row', 'data-run': r.id })}
          columns={[
            { header: 'Target', rowHeader: true, cell: (r) => r.target },
            { header: 'Req/s', numeric: true, cellProps: () => ({ 'data-testid': 'harness-rps' }), cell: (r) => r.rps.toFixed(2) },
            false,
            { header: 'Open', srOnlyHeader: true, cell: (r) => <button type="button" onClick={() => window.__events.push({ type: 'row', id: r.id })}>open {r.id}</button> },
          ]}
        />
        <Table caption="Harness empty" rows={[] as { id: string }[]} rowKey={(r) => r.id} empty="Nothing yet: fire a load first." columns={[{ header: 'Id', cell: (r) => r.id }, { header: 'When', cell: () => '' }]} />
      </Panel>
      <Panel title="KV-cache hit rate per block" source="Prometheus">
        <BlockHitRateBars blocks={d.blocks} />
      </Panel>
    </div>
  );
}

/** Telemetry text that looks like markup: a table cell must show it as text. */
const XSS_TEXT = '<img src=x onerror=alert(1)>';

window.__events = [];
createRoot(document.getElementById('root')!).render(<App />);
