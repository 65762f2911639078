'use client';

import { useMemo } from 'react';
import { LatencyHistogram } from '@/components/histogram/LatencyHistogram';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { Tabs } from '@/components/ui/Tabs';
import { histogramQuantile } from '@/lib/model/histogram';
import { decodeHistogram } from '@/lib/model/json';
import { formatLatencyMs, sampleQuantile } from '@/lib/model/latency-view';
import { LATENCY_METRICS, METRIC_LABELS, type LatencyMetric } from '@/lib/runs/views';
import type { RunViewState } from '@/lib/runs/url-state';
import { useLatency } from './api';
import type { UpdateView } from './useRunViewState';

const TABS = LATENCY_METRICS.map((key) => ({ key, label: METRIC_LABELS[key] }));

const WHAT: Record<LatencyMetric, string> = {
  e2e: 'end-to-end request latency',
  ttft: 'time to first token',
  tpot: 'time per output token',
};

/** Server p50 vs client p50, and what the difference is. */
function GapLine({ serverP50Ms, clientP50Ms }: { serverP50Ms: number; clientP50Ms: number }) {
  const gap = clientP50Ms - serverP50Ms;
  return (
    <p className="text-xs text-muted" data-testid="latency-gap">
      Median: server {formatLatencyMs(serverP50Ms)}, client {formatLatencyMs(clientP50Ms)} ({gap >= 0 ? '+' : '−'}
      {formatLatencyMs(Math.abs(gap))}). The client measures from sending the request to its last byte, so the gap is network time and
      queueing in front of the server&apos;s own span (server medians are interpolated within a bucket).
    </p>
  );
}

/** Left panel: the run's latency histogram per tab, the client-side latencies beside it; a bucket click drills down. */
export function RunLatencyPanel({ runId, view, update }: { runId: string; view: RunViewState; update: UpdateView }) {
  const q = useLatency(runId, view.tab);
  const series = useMemo(() => (q.data?.histogram ? decodeHistogram(q.data.histogram) : undefined), [q.data]);
  const client = q.data?.clientLatenciesMs;
  const clientSorted = useMemo(() => [...(client ?? [])].sort((a, b) => a - b), [client]);
  const serverP50 = series && series.count > 0 ? histogramQuantile(0.5, series.buckets) * 1000 : NaN;
  const clientP50 = sampleQuantile(clientSorted, 0.5);
  const idBase = `run-latency-${runId}`;

  return (
    <Panel
      title="Latency"
      source={q.data?.source}
      testId="run-latency"
      {...queryPanelState(q)}
      subtitle={q.data && (q.data.pending ? `${q.data.note ?? ''} The run just ended: data may still be arriving; refreshing.`.trim() : q.data.note)}
      actions={<Tabs label="Latency metric" items={TABS} value={view.tab} onChange={(tab) => update({ tab })} idBase={idBase} />}
    >
      <div role="tabpanel" aria-labelledby={`${idBase}-tab-${view.tab}`} className="flex flex-col gap-2">
        {q.data && !series ? (
          <div className="flex flex-col gap-1 rounded-md border border-dashed border-line p-4 text-sm" data-testid="latency-client-only">
            <p className="text-muted">No server-side histogram for this run.</p>
            {clientSorted.length > 0 ? (
              <p>
                Client-side {WHAT[view.tab]} ({clientSorted.length} requests): p50 {formatLatencyMs(clientP50)} · p90 {formatLatencyMs(sampleQuantile(clientSorted, 0.9))} · p99{' '}
                {formatLatencyMs(sampleQuantile(clientSorted, 0.99))}
              </p>
            ) : (
              <p className="text-muted">The load generator has no {WHAT[view.tab]} measures either (no successful requests).</p>
            )}
          </div>
        ) : (
          <>
            <LatencyHistogram
              series={series}
              clientLatenciesMs={client}
              unit="s"
              label={`${METRIC_LABELS[view.tab]} latency`}
              selected={view.bucket}
              onBucketClick={(bucket) => update({ bucket })}
              onExemplarClick={(e) => {
                const trace = e.labels.trace_id ?? e.labels.traceID ?? e.labels.traceId;
                if (trace) update({ trace: trace.toLowerCase(), span: null });
              }}
              emptyText={
                view.tab === 'e2e'
                  ? 'No request spans were stored in this window. Were the requests sampled out (raise the P0 share), or did the sandbox run without tracing?'
                  : `No request span recorded a ${WHAT[view.tab]} in this window (failed requests and single-token answers have none).`
              }
            />
            {Number.isFinite(serverP50) && Number.isFinite(clientP50) && view.tab !== 'tpot' && <GapLine serverP50Ms={serverP50} clientP50Ms={clientP50} />}
            <p className="text-xs text-muted">Choose a bucket (click its column, or use the table) to list its traces; click an exemplar dot to open that trace.</p>
          </>
        )}
      </div>
    </Panel>
  );
}
