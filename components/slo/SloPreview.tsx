'use client';

import type { UseQueryResult } from '@tanstack/react-query';
import { Panel } from '@/components/ui/Panel';
import { describeError } from '@/lib/api-errors';
import { humanDuration } from '@/lib/slo/duration';
import { percent, STATUS_WINDOWS } from '@/lib/slo/maths';
import { awaitingBuckets } from '@/lib/slo/awaiting-buckets';
import type { Preview } from '@/lib/slo/preview';
import { burnText, percentText } from './format';
import { SloChart } from './SloChart';

/** The editor's right column: the draft's arithmetic and its SLI measured now. */
export function SloPreview({ q }: { q: UseQueryResult<Preview> }) {
  const p = q.data;
  // A backend that did not answer is not a problem of the draft: name it instead of pointing at the fields.
  const failed = q.isError ? describeError(q.error) : null;
  const staleNote = p && failed && (failed.backend ? `${failed.text}. The numbers below are from its last answer.` : 'The draft has problems (see the fields); the numbers below are from the last valid draft.');
  return (
    <div className="flex min-w-0 flex-col gap-4 xl:sticky xl:top-20 xl:self-start" data-testid="slo-preview">
      <Panel title="The arithmetic" subtitle={staleNote ?? undefined} loading={q.isPending && !p} error={!p ? q.error : undefined} onRetry={failed?.backend ? () => void q.refetch() : undefined}>
        {p && (
          <div className="flex flex-col gap-3 text-sm">
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1" data-testid="slo-maths">
              <dt className="text-muted">Error budget</dt>
              <dd>
                {percent(p.maths.errorBudgetRatio)} of events may be bad (100 % − {p.definition.objective} %)
              </dd>
              <dt className="text-muted">As time</dt>
              <dd>
                {p.maths.budgetMinutes.toLocaleString('en')} bad minutes in {humanDuration(p.maths.periodMs)}
              </dd>
              <dt className="text-muted">As requests</dt>
              <dd>
                {p.maths.budgetRequests !== undefined && p.totalEvents
                  ? `${Math.floor(p.maths.budgetRequests).toLocaleString('en')} of the ${Math.round(p.totalEvents).toLocaleString('en')} requests in the period (${p.periodWindow})`
                  : 'known once the SLI has traffic'}
              </dd>
            </dl>
            {awaitingBuckets(p) && p.definition.sli.kind === 'latency' && (
              <p data-testid="slo-bucket" className="rounded-md border border-line p-2 text-xs text-muted">
                Prometheus has no buckets of <span className="font-mono">{p.definition.sli.metric}</span> yet (nothing scraped from it so far), so which bound the threshold uses is not known; asked again every 5 s.
              </p>
            )}
            {p.bucket && (
              <p data-testid="slo-bucket" className={`rounded-md border p-2 text-xs ${p.bucket.exact ? 'border-line text-muted' : 'border-warn/50 bg-warn/5'}`}>
                {p.bucket.explanation}
              </p>
            )}
            <table className="w-full text-left text-xs" data-testid="slo-conditions">
              <caption className="pb-1 text-left text-xs text-muted">Alert conditions: burn rate = error ratio ÷ error budget</caption>
              <thead className="text-muted">
                <tr>
                  <th scope="col" className="font-medium">
                    Alert
                  </th>
                  <th scope="col" className="font-medium">
                    Windows
                  </th>
                  <th scope="col" className="text-right font-medium">
                    Burn rate
                  </th>
                  <th scope="col" className="text-right font-medium">
                    Error ratio
                  </th>
                  <th scope="col" className="text-right font-medium">
                    Budget gone in
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.maths.conditions.map((c) => (
                  <tr key={`${c.severity}-${c.speed}`} title={c.meaning}>
                    <td>{c.severity}</td>
                    <td>
                      {c.long} and {c.short}
                    </td>
                    <td className="text-right tabular-nums">&gt; {c.factor}</td>
                    <td className="text-right tabular-nums">&gt; {percent(c.errorRatioThreshold)}</td>
                    <td className="text-right">{humanDuration(c.exhaustsInMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ul className="list-disc pl-5 text-xs text-muted">
              {p.maths.conditions.map((c) => (
                <li key={`${c.severity}-${c.speed}`}>{c.meaning}</li>
              ))}
            </ul>
          </div>
        )}
      </Panel>
      <Panel
        title="Live preview"
        source={p ? { traces: 'Embedded (spans)', tempo: 'Tempo (TraceQL metrics)', prometheus: 'Prometheus', none: undefined }[p.source] : undefined}
        loading={q.isPending && !p}
        empty={!p && failed ? 'No measurements while the preview cannot be computed (see above).' : undefined}
      >
        {p && p.source === 'none' ? (
          <div className="flex flex-col gap-2">
            <p className="text-sm text-muted" data-testid="slo-preview-note">
              {p.note}
            </p>
            {p.traceQueries && <TraceQueries queries={p.traceQueries} />}
          </div>
        ) : p ? (
          <div className="flex flex-col gap-3 text-sm">
            {p.note && <p className={`text-xs ${p.source === 'tempo' ? 'text-muted' : 'text-warn'}`}>{p.note}</p>}
            {p.traceQueries && <TraceQueries queries={p.traceQueries} />}
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1" data-testid="slo-preview-numbers">
              <dt className="text-muted">SLI over the period ({p.periodWindow})</dt>
              <dd className="tabular-nums">{p.errorRatios.period === null || p.errorRatios.period === undefined ? 'no traffic yet' : percentText(1 - p.errorRatios.period, 3)}</dd>
              <dt className="text-muted">Error budget left</dt>
              <dd className="tabular-nums">{percentText(p.budgetRemaining, 1)}</dd>
              <dt className="text-muted">Burn rates</dt>
              <dd className="tabular-nums">
                {STATUS_WINDOWS.map((w) => `${w} ${burnText(p.errorRatios[w] === null || p.errorRatios[w] === undefined ? null : p.errorRatios[w]! / p.maths.errorBudgetRatio)}`).join(' · ')}
              </dd>
            </dl>
            {p.series.some(([, v]) => v !== null) && (
              <SloChart
                label="The draft SLI over the last 6 hours"
                lines={[{ name: 'SLI', points: p.series, color: '--chart-1' }]}
                percent
                target={{ value: p.definition.objective / 100, label: `objective ${p.definition.objective} %` }}
                range={{ from: p.series[0][0], to: p.series[p.series.length - 1][0] }}
                height={180}
              />
            )}
          </div>
        ) : null}
      </Panel>
    </div>
  );
}

/** The TraceQL metrics queries Tempo counts a trace-based SLI with, to copy into Grafana or Tempo's CLI. */
function TraceQueries({ queries }: { queries: { total: string; bad: string } }) {
  return (
    <details className="text-xs" data-testid="slo-trace-queries">
      <summary className="cursor-pointer text-muted">TraceQL metrics queries sent to Tempo</summary>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
        <dt className="text-muted">all spans</dt>
        <dd>
          <code className="break-all">{queries.total}</code>
        </dd>
        <dt className="text-muted">slow spans</dt>
        <dd>
          <code className="break-all">{queries.bad}</code>
        </dd>
      </dl>
    </details>
  );
}
