'use client';

import { useMemo } from 'react';
import { countText } from '@/components/histogram/LatencyHistogram';
import { FlameGraph } from '@/components/flame/FlameGraph';
import { ms } from '@/components/ui/format';
import { TraceWaterfall } from '@/components/trace/TraceWaterfall';
import { Badge } from '@/components/ui/Badge';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { formatBucketParam } from '@/lib/correlate';
import { formatLatencyMs } from '@/lib/model/latency-view';
import { decodeHistogram, decodeTrace } from '@/lib/model/json';
import type { TimeRange } from '@/lib/model/types';
import type { TracesPanel } from '@/lib/runs/panels';
import { byQuality, formatQuality, QUALITY_SIGNAL_INFO, QUALITY_SIGNALS, type QualitySignal } from '@/lib/runs/quality';
import type { RunViewState } from '@/lib/runs/url-state';
import { METRIC_LABELS, profileTypeLabel } from '@/lib/runs/views';
import { useBucketTraces, useLatency, useSpanProfile, useTrace } from './api';
import { windowText } from './format';
import type { UpdateView } from './useRunViewState';

const bucketText = (b: { lower: number; upper: number }) =>
  b.upper === Infinity ? `over ${formatLatencyMs(b.lower * 1000)}` : `${formatLatencyMs(b.lower * 1000)} – ${formatLatencyMs(b.upper * 1000)}`;

/** The server histogram's count in the chosen bucket (from the latency panel's cached answer), when it has that bucket. */
function useBucketCount(runId: string, tab: RunViewState['tab'], b: { lower: number; upper: number }): { count: number; estimate: boolean } | null {
  const q = useLatency(runId, tab);
  return useMemo(() => {
    if (!q.data?.histogram) return null;
    const h = decodeHistogram(q.data.histogram);
    const hit = h.buckets.find((x) => x.lower === b.lower && x.upper === b.upper);
    return hit ? { count: hit.count, estimate: q.data.counts?.kind === 'estimate' } : null;
  }, [q.data, b.lower, b.upper]);
}

/** "46 traces in this bucket, all listed, slowest first", and how that compares with the histogram's count. */
function bucketListText(d: TracesPanel, inHistogram: { count: number; estimate: boolean } | null): string {
  const what = d.method === 'trace search' ? 'stored trace' : 'request of this run';
  const n = `${d.capped ? 'at least ' : ''}${d.total} ${what}${d.total === 1 ? '' : 's'}`;
  const listed = d.traces.length === d.total ? (d.total > 1 ? 'all listed, slowest first' : 'listed') : `the ${d.traces.length} slowest listed`;
  let vs = '';
  if (inHistogram && d.method === 'trace search') {
    const h = countText(inHistogram.count, inHistogram.estimate);
    if (Math.round(inHistogram.count) > d.total) vs = ` The histogram holds ${h} requests here: the others were not traced (sampled out).`;
    else if (Math.round(inHistogram.count) === d.total && !inHistogram.estimate) vs = ' Every request the histogram holds here was traced.';
  }
  return `${n} in this bucket, ${listed}.${vs}`;
}

function BucketTraces({ runId, view, update }: { runId: string; view: RunViewState; update: UpdateView }) {
  const q = useBucketTraces(runId, view.tab, view.bucket);
  const d = q.data;
  const b = view.bucket!;
  const inHistogram = useBucketCount(runId, view.tab, b);
  // Sort by a quality signal the listed rows carry (the request spans' attributes), else slowest first as listed.
  const signals = useMemo(() => QUALITY_SIGNALS.filter((sig) => d?.traces.some((t) => t.quality[sig] !== undefined)), [d]);
  const sortBy = view.tsort && signals.includes(view.tsort) ? view.tsort : null;
  const rows = useMemo(() => (d ? (sortBy ? byQuality(d.traces, sortBy) : d.traces) : []), [d, sortBy]);
  return (
    <Panel
      title={`Traces in ${METRIC_LABELS[view.tab]} bucket ${bucketText(b)}`}
      source={d?.source}
      testId="run-bucket-traces"
      {...queryPanelState(q)}
      subtitle={
        d && (
          <>
            <span data-testid="bucket-trace-count">{bucketListText(d, inHistogram)}</span>{' '}
            {sortBy && <span>Shown by {QUALITY_SIGNAL_INFO[sortBy].label.toLowerCase()}, highest first. </span>}
            {d.method === 'trace search' ? <span className="font-mono">{d.query}</span> : d.note}
          </>
        )
      }
      empty={
        d &&
        d.traces.length === 0 &&
        (d.method === 'trace search'
          ? 'No stored trace in this bucket: its requests were sampled out (P1 requests are sampled; P0 always traced). Pick another bucket or raise the P0 share.'
          : 'None of this run’s requests has a client-measured value in this bucket. Pick another bucket.')
      }
      actions={
        <>
          {signals.length > 0 && (
            <label className="flex items-center gap-1 text-xs text-muted">
              Sort by
              <select
                className="rounded border border-line bg-panel px-1 py-0.5 text-xs text-fg"
                value={sortBy ?? ''}
                onChange={(e) => update({ tsort: (e.target.value || null) as QualitySignal | null }, 'replace')}
                data-testid="bucket-trace-sort"
              >
                <option value="">Server latency</option>
                {signals.map((sig) => (
                  <option key={sig} value={sig}>
                    {QUALITY_SIGNAL_INFO[sig].label}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="button" className="text-xs text-accent underline-offset-2 hover:underline" onClick={() => update({ bucket: null })}>
            Clear bucket
          </button>
        </>
      }
    >
      {d && (
        <div className="max-h-72 overflow-auto">
          <table className="w-full min-w-[640px] text-sm" data-testid="bucket-trace-table" data-bucket={formatBucketParam(b)}>
            <caption className="sr-only">Traces in the selected bucket</caption>
            <thead>
              <tr className="border-b border-line text-left text-xs text-muted">
                <th scope="col" className="py-1 pr-3 font-medium">Trace</th>
                <th scope="col" className="py-1 pr-3 text-right font-medium">Server ms</th>
                <th scope="col" className="py-1 pr-3 text-right font-medium">Client {METRIC_LABELS[view.tab]} ms</th>
                <th scope="col" className="py-1 pr-3 text-right font-medium">Output tokens</th>
                {sortBy && (
                  <th scope="col" className="py-1 pr-3 text-right font-medium" aria-sort="descending">
                    {QUALITY_SIGNAL_INFO[sortBy].label}
                  </th>
                )}
                <th scope="col" className="py-1 font-medium">Priority</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => {
                const sel = t.traceId === view.trace;
                return (
                  <tr key={t.traceId} className={`border-b border-line/60 last:border-0 ${sel ? 'bg-panel-2' : ''}`} data-testid="bucket-trace-row">
                    <td className="py-1 pr-3">
                      {t.stored ? (
                        <button
                          type="button"
                          aria-pressed={sel}
                          onClick={() => update({ trace: t.traceId })}
                          className="font-mono text-xs text-accent underline-offset-2 hover:underline"
                        >
                          {t.traceId}
                        </button>
                      ) : (
                        <span className="font-mono text-xs text-muted" title="not in the trace store (sampled out)">
                          {t.traceId} (not traced)
                        </span>
                      )}
                    </td>
                    <td className="py-1 pr-3 text-right font-mono tabular-nums">{ms(t.durationMs)}</td>
                    <td className="py-1 pr-3 text-right font-mono tabular-nums">{ms(t.clientMs)}</td>
                    <td className="py-1 pr-3 text-right font-mono tabular-nums">{t.outputTokens ?? '—'}</td>
                    {sortBy && <td className="py-1 pr-3 text-right font-mono tabular-nums">{t.quality[sortBy] === undefined ? '—' : formatQuality(sortBy, t.quality[sortBy])}</td>}
                    <td className="py-1">{t.priority ? <Badge tone={t.priority === 'P0' ? 'accent' : 'neutral'}>{t.priority}</Badge> : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function TracePanel({ traceId, range, view, update }: { traceId: string; range: TimeRange; view: RunViewState; update: UpdateView }) {
  const q = useTrace(traceId, range);
  const trace = useMemo(() => (q.data ? decodeTrace(q.data.trace) : null), [q.data]);
  return (
    <Panel
      title="Trace"
      source={q.data?.source}
      testId="run-trace"
      {...queryPanelState(q)}
      subtitle={
        <>
          <span className="font-mono">{traceId}</span> · choose a span to see its own {view.flame === 'gpu' ? 'GPU' : 'CPU'} profile
        </>
      }
      actions={
        <button type="button" className="text-xs text-accent underline-offset-2 hover:underline" onClick={() => update({ trace: null })}>
          Close trace
        </button>
      }
    >
      {trace && <TraceWaterfall trace={trace} selectedSpanId={view.span} onSpanSelect={(span) => update({ span })} />}
    </Panel>
  );
}

function SpanProfilePanel({ runId, view, update }: { runId: string; view: RunViewState; update: UpdateView }) {
  // heap samples carry no span ids: with the memory graph chosen, the span shows its CPU
  const kind = view.flame === 'gpu' ? 'gpu' : 'cpu';
  const q = useSpanProfile(runId, view.trace, view.span, kind);
  const d = q.data;
  const what = kind === 'gpu' ? 'GPU' : 'CPU';
  return (
    <Panel
      title={`Span ${what} profile`}
      source={d?.source}
      testId="run-span-profile"
      {...queryPanelState(q)}
      subtitle={
        d && (
          <>
            span <span className="font-mono">{view.span}</span> and {d.spanIds.length - 1} same-service descendant{d.spanIds.length === 2 ? '' : 's'}
            {d.batchSpanIds.length > 0 &&
              `, plus the ${d.batchSpanIds.length} decode batch${d.batchSpanIds.length === 1 ? '' : 'es'} it took part in (their ${what} time is shared with the other requests in them)`}{' '}
            · {windowText(d.window)}
            {d.profileType && (
              <>
                {' · '}
                <span title={`Pyroscope profile type ${d.profileType.id}`}>{profileTypeLabel(d.profileType)}</span>
              </>
            )}
          </>
        )
      }
      empty={
        d &&
        !d.flame &&
        (d.pending
          ? `No samples for this span yet: profiles arrive every ${d.flushIntervalS} s. Checking again…`
          : kind === 'gpu'
            ? 'No GPU time carries this span’s id. GPU kernels run for prefill spans and decode batches; try the prefill or decode child (a decode span brings its batches).'
            : 'No CPU samples carry this span’s id. Spans that only wait (queue, the request itself between steps) use no CPU; try its prefill or decode child.')
      }
    >
      {d?.flame && (
        <FlameGraph
          flame={d.flame}
          unit={d.profileType?.sampleUnit ?? 'nanoseconds'}
          zoomPath={view.szoom}
          onZoomPathChange={(szoom) => update({ szoom })}
          search={view.sq}
          onSearchChange={(sq) => update({ sq }, 'replace')}
          layout="below"
          maxHeight={360}
          topFunctionsLimit={15}
        />
      )}
    </Panel>
  );
}

/** Below the two panels: bucket → traces → waterfall → the chosen span's own CPU profile. */
export function RunDrillDown({ runId, range, view, update }: { runId: string; range: TimeRange; view: RunViewState; update: UpdateView }) {
  return (
    <div className="flex flex-col gap-4" data-testid="run-drill-down">
      {view.bucket ? (
        <BucketTraces runId={runId} view={view} update={update} />
      ) : (
        !view.trace && <p className="rounded-md border border-dashed border-line p-3 text-sm text-muted">Choose a latency bucket above to list its traces, then open a trace and a span to see that span’s own CPU or GPU profile.</p>
      )}
      {view.trace && <TracePanel traceId={view.trace} range={range} view={view} update={update} />}
      {view.trace && view.span && <SpanProfilePanel runId={runId} view={view} update={update} />}
    </div>
  );
}
