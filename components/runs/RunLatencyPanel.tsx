'use client';

import { useMemo } from 'react';
import { LatencyHistogram, percentileText } from '@/components/histogram/LatencyHistogram';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { Tabs } from '@/components/ui/Tabs';
import { decodeHistogram } from '@/lib/model/json';
import { formatLatencyMs } from '@/lib/model/latency-view';
import type { Percentile } from '@/lib/model/percentiles';
import type { ServerCounts } from '@/lib/runs/latency';
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

/**
 * Server median against client median. Per request the server's span lies
 * inside the client's measure, so with exact values the server's median is
 * never the larger; an interpolated one can be, by up to its bucket's width.
 */
function GapLine({ server, client }: { server: Percentile; client: Percentile }) {
  const gap = client.valueMs - server.valueMs;
  const why =
    server.method === 'interpolated' && server.bucketMs
      ? `The server median is interpolated within ${formatLatencyMs(server.bucketMs.lower)} – ${formatLatencyMs(server.bucketMs.upper)}, so the difference is known only to that bucket's width.`
      : gap >= 0
        ? "The difference is time outside the server's request span: connecting, sending the request, and the response's last bytes on their way back."
        : 'The server median is an estimate from sampled spans.';
  return (
    <p className="text-xs text-muted" data-testid="latency-gap">
      Median: server {server.method === 'exact' ? '' : '≈ '}
      {formatLatencyMs(server.valueMs)}, client {formatLatencyMs(client.valueMs)} ({gap >= 0 ? 'client longer by ' : 'server longer by '}
      {formatLatencyMs(Math.abs(gap))}). {why}
    </p>
  );
}

/** What the server's count says next to the run's: other traffic in the window, or requests missing from it. */
function CountCheck({ counts }: { counts: ServerCounts }) {
  if (counts.kind === 'estimate') {
    return (
      <p className="text-xs text-muted" data-testid="latency-count-check">
        The server count is an estimate; the load generator measured {counts.expected} request{counts.expected === 1 ? '' : 's'} of this run itself.
      </p>
    );
  }
  if (counts.difference === 0) {
    return (
      <p className="text-xs text-ok" data-testid="latency-count-check">
        The server counted exactly the {counts.expected} request{counts.expected === 1 ? '' : 's'} this run measured.
      </p>
    );
  }
  return (
    <p className="text-xs text-warn" data-testid="latency-count-check">
      {counts.difference > 0
        ? `The server counted ${counts.difference} more request${counts.difference === 1 ? '' : 's'} than this run measured (${counts.total} against ${counts.expected}): other traffic reached it during the run's window, and its requests are in the histogram too.`
        : `${-counts.difference} of this run's ${counts.expected} measured requests are not in the server's histogram (it counted ${counts.total}).`}
    </p>
  );
}

/** Left panel: the run's latency histogram per tab, the client-side latencies beside it; a bucket click drills down. */
export function RunLatencyPanel({ runId, view, update }: { runId: string; view: RunViewState; update: UpdateView }) {
  const q = useLatency(runId, view.tab);
  const d = q.data;
  const series = useMemo(() => (d?.histogram ? decodeHistogram(d.histogram) : undefined), [d]);
  const serverP50 = d?.serverPercentiles.find((p) => p.name === 'p50');
  const clientP50 = d?.clientPercentiles.find((p) => p.name === 'p50');
  const idBase = `run-latency-${runId}`;

  return (
    <Panel
      title="Latency"
      source={d?.source}
      testId="run-latency"
      {...queryPanelState(q)}
      subtitle={d && (d.pending ? `${d.note ?? ''} The run just ended: data may still be arriving; refreshing.`.trim() : d.note)}
      actions={<Tabs label="Latency metric" items={TABS} value={view.tab} onChange={(tab) => update({ tab })} idBase={idBase} />}
    >
      <div role="tabpanel" aria-labelledby={`${idBase}-tab-${view.tab}`} className="flex flex-col gap-2">
        {d && !series ? (
          <div className="flex flex-col gap-1 rounded-md border border-dashed border-line p-4 text-sm" data-testid="latency-client-only">
            <p className="text-muted">{d.pending ? 'The server-side histogram is on its way.' : 'No server-side histogram for this run.'}</p>
            {d.clientLatenciesMs.length > 0 ? (
              <p>
                Client-side {WHAT[view.tab]} ({d.clientLatenciesMs.length} requests): {percentileText(d.clientPercentiles)}
              </p>
            ) : (
              !d.note?.startsWith('Every request') && <p className="text-muted">The load generator has no {WHAT[view.tab]} measures either (no successful requests).</p>
            )}
          </div>
        ) : (
          <>
            <LatencyHistogram
              series={series}
              clientLatenciesMs={d?.clientLatenciesMs}
              serverPercentiles={d?.serverPercentiles}
              counts={d?.counts ?? undefined}
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
                  ? 'No successful request of this run reached the server in its window. Were the requests sampled out (raise the P0 share), or did the sandbox run without tracing?'
                  : `No successful request recorded a ${WHAT[view.tab]} in this window (single-token answers have no time per output token).`
              }
            />
            {d?.counts && <CountCheck counts={d.counts} />}
            {d && d.failed > 0 && (
              <p className="text-xs text-muted" data-testid="latency-failed">
                {d.failed} failed request{d.failed === 1 ? ' is' : 's are'} not drawn: a failure has no latency to compare.
              </p>
            )}
            {serverP50 && clientP50 && view.tab !== 'tpot' && <GapLine server={serverP50} client={clientP50} />}
            <p className="text-xs text-muted">Choose a bucket (click its column, or use the table) to list its traces; click an exemplar dot to open that trace.</p>
          </>
        )}
      </div>
    </Panel>
  );
}
