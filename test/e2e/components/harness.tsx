// Browser entry for the component tests: renders the shared components with
// the data the test puts in window.__harness, and records their callbacks in
// window.__events. Bundled by components.test.ts with esbuild; not part of the app.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { LatencyHistogram, type BucketRange } from '../../../components/histogram/LatencyHistogram';
import { TraceWaterfall } from '../../../components/trace/TraceWaterfall';
import { Panel } from '../../../components/ui/Panel';
import { Tabs } from '../../../components/ui/Tabs';
import type { HistogramSeries, Span, Trace } from '../../../lib/model/types';

type WireSpan = Omit<Span, 'startTimeUnixNano' | 'endTimeUnixNano' | 'events'> & {
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  events: { name: string; timeUnixNano: string; attributes: Span['attributes'] }[];
};
interface HarnessData {
  series: Record<'e2e' | 'ttft', HistogramSeries>;
  client: number[];
  trace: { traceId: string; spans: WireSpan[] };
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
    </div>
  );
}

window.__events = [];
createRoot(document.getElementById('root')!).render(<App />);
