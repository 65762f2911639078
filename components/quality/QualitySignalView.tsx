'use client';

// A quality signal's charts, shared by the run page and Explore: the
// distribution (stacked by prompt kind when known), the scatter against each
// request's E2E latency (a click opens that request's trace), a keyboard
// table of the same requests, and the summary line with Spearman's ρ.
import { BarChart, ScatterChart, type BarSeriesOption, type ScatterSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { type ReactNode, useMemo, useRef } from 'react';
import { useEchart } from '@/components/charts/useEchart';
import { ms } from '@/components/ui/format';
import { Table } from '@/components/ui/Table';
import { cssVar, useTheme } from '@/components/ui/theme';
import { escapeHtml } from '@/lib/escape-html';
import { formatLatencyMs } from '@/lib/model/latency-view';
import { axisExtent, type BlockHitRates, binCountsByKind, correlationWords, formatQuality, QUALITY_SIGNAL_INFO, QUALITY_SIGNALS, signalAxis, type QualityPoint, type QualitySignal, type SignalSummary } from '@/lib/runs/quality';
import type { PromptKind } from '@/lib/loadgen/params';

echarts.use([BarChart, ScatterChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

type Option = echarts.ComposeOption<BarSeriesOption | ScatterSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption>;

export const QUALITY_TABS = QUALITY_SIGNALS.map((key) => ({ key, label: QUALITY_SIGNAL_INFO[key].label }));

type KindKey = PromptKind | 'unknown';
const KIND_LABELS: Record<KindKey, string> = { natural: 'Natural text', repeated: 'Repeated word', random: 'Random bytes', unknown: 'Requests' };
const KIND_COLOURS: Record<KindKey, string> = { natural: '--chart-1', repeated: '--chart-2', random: '--chart-3', unknown: '--chart-1' };
const KIND_ORDER: KindKey[] = ['natural', 'repeated', 'random', 'unknown'];

/** The scatter's plot area insets (px); the e2e test aims at points with the same numbers. */
const SCATTER_GRID = { left: 56, right: 28, top: 32, bottom: 40 };

/** What a signal with no values at all is missing, and what to do. */
export const NO_SIGNAL_VALUES: Record<QualitySignal, string> = {
  entropy: 'No request span carries trisight.prompt.entropy_bits.',
  perplexity: 'No request emitted a token, so none has an output perplexity.',
  perplexity_std: 'No output was as long as one perplexity window (SANDBOX_PERPLEXITY_WINDOW, 16 tokens by default): raise Max tokens in the load form to see it.',
  kv_reuse: 'No prompt was as long as one KV-cache block (16 tokens): use longer prompts to see reuse.',
};

/** "prompt entropy", but "KV-cache reuse": a label inside a sentence. */
const inSentence = (label: string) => (/^[A-Z]{2}/.test(label) ? label : label[0].toLowerCase() + label.slice(1));

/** An axis tick: the axis name carries the unit, so ticks stay short. */
function formatTick(signal: QualitySignal, v: number): string {
  if (signal === 'kv_reuse') return `${Math.round(v * 100)} %`;
  return String(Number(v.toPrecision(3)));
}

const kindsOf = (points: readonly QualityPoint[]) => KIND_ORDER.filter((k) => points.some((p) => (p.kind ?? 'unknown') === k));

/** A chart on a div (the shared useEchart), `onClick` getting the clicked item. */
function useChart(option: Option, onClick?: (p: { seriesIndex?: number; dataIndex?: number }) => void) {
  const el = useRef<HTMLDivElement>(null);
  useEchart(el, option, { onItemClick: onClick });
  return el;
}

function colours() {
  return { text: cssVar('--muted'), line: cssVar('--line'), fg: cssVar('--fg'), panel: cssVar('--panel'), selected: cssVar('--chart-selected') };
}

function Distribution({ s }: { s: SignalSummary }) {
  const { theme } = useTheme();
  const info = QUALITY_SIGNAL_INFO[s.signal];
  // biome-ignore lint/correctness/useExhaustiveDependencies: theme: the colours are read from CSS variables that change with it
  const option = useMemo<Option>(() => {
    const c = colours();
    const byKind = binCountsByKind(s.points, s.distribution);
    const labels = s.distribution.map((b) => `${formatQuality(s.signal, b.lower)} – ${formatQuality(s.signal, b.upper)}`);
    return {
      animation: false,
      grid: { left: 40, right: 12, top: 32, bottom: 40 },
      legend: { top: 4, textStyle: { color: c.text }, itemWidth: 12, itemHeight: 8 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        confine: true,
        formatter: (params: unknown) => {
          const list = (Array.isArray(params) ? params : [params]) as { dataIndex: number; seriesName: string; value: number }[];
          const i = list[0]?.dataIndex ?? 0;
          return [`<strong>${escapeHtml(labels[i] ?? '')}</strong>`, ...list.filter((p) => p.value > 0).map((p) => `${escapeHtml(p.seriesName)}: ${p.value}`)].join('<br/>');
        },
      },
      xAxis: {
        type: 'category',
        data: labels,
        axisLabel: { color: c.text, fontSize: 10, hideOverlap: true, formatter: (_: string, i: number) => formatTick(s.signal, s.distribution[i].lower) },
        axisLine: { lineStyle: { color: c.line } },
        name: info.axis,
        nameLocation: 'middle',
        nameGap: 26,
        nameTextStyle: { color: c.text, fontSize: 10 },
      },
      yAxis: { type: 'value', minInterval: 1, name: 'requests', nameTextStyle: { color: c.text, fontSize: 10 }, axisLabel: { color: c.text, fontSize: 10 }, splitLine: { lineStyle: { color: c.line } } },
      series: kindsOf(s.points).map((k) => ({ type: 'bar', name: KIND_LABELS[k], stack: 'kinds', data: byKind.get(k) ?? [], itemStyle: { color: cssVar(KIND_COLOURS[k]) }, barCategoryGap: '10%' })),
    };
  }, [s, info.axis, theme]);
  const el = useChart(option);
  return (
    <div
      ref={el}
      role="img"
      aria-label={`${info.label} distribution over ${s.count} requests${s.percentiles ? `: median ${formatQuality(s.signal, s.percentiles.p50)}` : ''}. The table below lists the requests.`}
      className="h-60 w-full"
      data-testid="quality-distribution"
    />
  );
}

function Scatter({ s, selected, onOpen }: { s: SignalSummary; selected: string | null; onOpen: (traceId: string) => void }) {
  const { theme } = useTheme();
  const info = QUALITY_SIGNAL_INFO[s.signal];
  const kinds = useMemo(() => kindsOf(s.points), [s]);
  const byKind = useMemo(() => kinds.map((k) => s.points.filter((p) => (p.kind ?? 'unknown') === k)), [kinds, s]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: theme: the colours are read from CSS variables that change with it
  const option = useMemo<Option>(() => {
    const c = colours();
    const x = signalAxis(
      s.signal,
      s.points.map((p) => p.value),
    );
    const y = axisExtent(
      s.points.map((p) => p.e2eMs),
      true,
    );
    return {
      animation: false,
      // Exactly these insets (no automatic room for labels): a point's pixel follows from its values.
      grid: { ...SCATTER_GRID, outerBoundsMode: 'none' },
      legend: { top: 4, textStyle: { color: c.text }, itemWidth: 10, itemHeight: 10 },
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (p: unknown) => {
          const { seriesIndex, dataIndex } = p as { seriesIndex: number; dataIndex: number };
          const pt = byKind[seriesIndex]?.[dataIndex];
          if (!pt) return '';
          return [
            `<strong>${escapeHtml(formatQuality(s.signal, pt.value))}</strong> ${escapeHtml(inSentence(info.label))}`,
            `E2E ${escapeHtml(formatLatencyMs(pt.e2eMs))}`,
            pt.kind ? escapeHtml(KIND_LABELS[pt.kind]) : '',
            `trace ${escapeHtml(pt.traceId)}`,
            '<em>click to open the trace</em>',
          ]
            .filter(Boolean)
            .join('<br/>');
        },
      },
      xAxis: {
        type: 'value',
        min: x.min,
        max: x.max,
        name: info.axis,
        nameLocation: 'middle',
        nameGap: 26,
        nameTextStyle: { color: c.text, fontSize: 10 },
        axisLabel: { color: c.text, fontSize: 10, formatter: (v: number) => formatTick(s.signal, v) },
        // At the plot's edge, not where x = 0 (which may be mid-plot)
        axisLine: { onZero: false, lineStyle: { color: c.line } },
        splitLine: { lineStyle: { color: c.line } },
      },
      yAxis: {
        type: 'value',
        min: y.min,
        max: y.max,
        name: 'E2E latency',
        axisLine: { onZero: false },
        nameTextStyle: { color: c.text, fontSize: 10 },
        axisLabel: { color: c.text, fontSize: 10, formatter: (v: number) => formatLatencyMs(v) },
        splitLine: { lineStyle: { color: c.line } },
      },
      series: kinds.map((k, i) => ({
        type: 'scatter',
        name: KIND_LABELS[k],
        data: byKind[i].map((p) =>
          p.traceId === selected
            ? { value: [p.value, p.e2eMs], symbolSize: 13, itemStyle: { color: c.selected, borderColor: c.fg, borderWidth: 2 } }
            : { value: [p.value, p.e2eMs] },
        ),
        symbolSize: 8,
        itemStyle: { color: cssVar(KIND_COLOURS[k]), opacity: 0.8, borderColor: c.panel, borderWidth: 1 },
        cursor: 'pointer',
      })),
    };
  }, [s, kinds, byKind, info, selected, theme]);
  const el = useChart(option, (p) => {
    const pt = typeof p.seriesIndex === 'number' && typeof p.dataIndex === 'number' ? byKind[p.seriesIndex]?.[p.dataIndex] : undefined;
    if (pt) onOpen(pt.traceId);
  });
  return (
    <div
      ref={el}
      role="img"
      aria-label={`${info.label} against end-to-end latency, one point per request (${s.count}). Click a point to open its trace; the table below lists the same requests.`}
      className="h-60 w-full"
      data-testid="quality-scatter"
    />
  );
}

/** The requests as a table, highest value first: the keyboard's way to a trace. */
function PointsTable({ s, selected, onOpen }: { s: SignalSummary; selected: string | null; onOpen: (traceId: string) => void }) {
  const LIMIT = 50;
  const rows = useMemo(() => [...s.points].sort((a, b) => b.value - a.value || b.e2eMs - a.e2eMs).slice(0, LIMIT), [s]);
  const info = QUALITY_SIGNAL_INFO[s.signal];
  return (
    <details className="text-xs" data-testid="quality-table">
      <summary className="cursor-pointer select-none text-muted hover:text-fg">
        Requests as a table, highest {inSentence(info.label)} first{s.points.length > LIMIT ? ` (the top ${LIMIT} of ${s.points.length})` : ''} — open a trace with the keyboard
      </summary>
      <div className="max-h-64 overflow-auto">
        <Table
          caption={`${info.label} of each request, with its end-to-end latency`}
          size="xs"
          className="mt-2 min-w-[480px]"
          rows={rows}
          rowKey={(p) => p.traceId}
          rowProps={(p) => ({ 'data-testid': 'quality-row', className: p.traceId === selected ? 'bg-panel-2 font-semibold' : '' })}
          columns={[
            { header: info.label, numeric: true, cell: (p) => formatQuality(s.signal, p.value) },
            { header: 'E2E ms', numeric: true, cell: (p) => ms(p.e2eMs) },
            { header: 'Prompt', cell: (p) => (p.kind ? KIND_LABELS[p.kind] : '—') },
            {
              header: 'Trace',
              cell: (p) => (
                <button type="button" aria-pressed={p.traceId === selected} onClick={() => onOpen(p.traceId)} className="font-mono text-accent underline-offset-2 hover:underline">
                  {p.traceId}
                </button>
              ),
            },
          ]}
        />
      </div>
    </details>
  );
}

function SignalSummaryLine({ s }: { s: SignalSummary }) {
  const kinds = s.byKind.map((k) => `${KIND_LABELS[k.kind].toLowerCase()} ${formatQuality(s.signal, k.median)} (${k.count})`).join(' · ');
  return (
    <div className="flex flex-col gap-0.5 text-xs text-muted" data-testid="quality-summary">
      <p>
        {s.count} request{s.count === 1 ? '' : 's'}
        {s.percentiles &&
          ` · p50 ${formatQuality(s.signal, s.percentiles.p50)} · p90 ${formatQuality(s.signal, s.percentiles.p90)} · p99 ${formatQuality(s.signal, s.percentiles.p99)}`}
        {' · '}
        <span data-testid="quality-correlation">
          {s.correlation === null
            ? 'too few distinct values for a correlation with E2E latency'
            : `Spearman ρ = ${s.correlation.toFixed(2)} with E2E latency (${correlationWords(s.correlation)})`}
        </span>
      </p>
      {kinds && <p data-testid="quality-by-kind">Median by prompt kind: {kinds}</p>}
    </div>
  );
}


/**
 * One signal's tab body: what it means, anything the page adds (the run page's
 * prefix-cache query), then the summary, the two charts and the table — or why
 * no request has a value. `onOpen` gets the trace id of a clicked point or row.
 */
export function QualitySignalView({
  signal,
  summary,
  selected,
  onOpen,
  extra,
  openHint,
}: {
  signal: QualitySignal;
  summary: SignalSummary | undefined;
  selected: string | null;
  onOpen: (traceId: string) => void;
  extra?: ReactNode;
  /** where the opened trace shows, in one sentence */
  openHint: string;
}) {
  const s = summary;
  return (
    <>
      <p className="text-xs text-muted">{QUALITY_SIGNAL_INFO[signal].help}</p>
      {extra}
      {s && s.count > 0 ? (
        <>
          <SignalSummaryLine s={s} />
          <div className="grid gap-3 lg:grid-cols-2">
            <Distribution s={s} />
            <Scatter s={s} selected={selected} onOpen={onOpen} />
          </div>
          <p className="text-xs text-muted">{openHint}</p>
          <PointsTable s={s} selected={selected} onOpen={onOpen} />
        </>
      ) : (
        <p className="rounded-md border border-dashed border-line p-4 text-sm text-muted" data-testid="quality-signal-empty">
          {NO_SIGNAL_VALUES[signal]}
        </p>
      )}
    </>
  );
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const percent = (r: number) => `${(r * 100).toFixed(1)} %`;

/**
 * A server's prefix-cache hit rate per block over a window: one bar each on a
 * 0–100 % axis, the value on the bar and the lookups it rests on under it, and
 * the same numbers as a table (for the keyboard and screen readers).
 */
export function BlockHitRateBars({ blocks }: { blocks: BlockHitRates }) {
  const { theme } = useTheme();
  const { by, unit, rates } = blocks;
  // biome-ignore lint/correctness/useExhaustiveDependencies: theme: the colours are read from CSS variables that change with it
  const option = useMemo<Option>(() => {
    const c = colours();
    return {
      animation: false,
      grid: { left: 48, right: 12, top: 28, bottom: 60 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        confine: true,
        formatter: (params: unknown) => {
          const p = (Array.isArray(params) ? params[0] : params) as { dataIndex: number };
          const b = rates[p.dataIndex];
          return b ? `${escapeHtml(by)} ${escapeHtml(b.block)}: <strong>${percent(b.hitRate)}</strong> hit rate<br/>${count(b.hits)} of ${count(b.lookups)} ${unit} looked up` : '';
        },
      },
      xAxis: {
        type: 'category',
        data: rates.map((b) => b.block),
        name: `${by}, ${unit} looked up`,
        nameLocation: 'middle',
        nameGap: 44,
        nameTextStyle: { color: c.text, fontSize: 10 },
        // Every block named, with the lookups its rate rests on (a long label is cut, the table has it whole).
        axisLabel: {
          color: c.text,
          fontSize: 10,
          lineHeight: 14,
          margin: 10,
          interval: 0,
          width: 96,
          overflow: 'truncate',
          formatter: (v: string, i: number) => `${v}\n${count(rates[i]?.lookups ?? 0)}`,
        },
        axisLine: { lineStyle: { color: c.line } },
      },
      yAxis: {
        type: 'value',
        min: 0,
        max: 1,
        name: 'hit rate',
        nameTextStyle: { color: c.text, fontSize: 10 },
        axisLabel: { color: c.text, fontSize: 10, formatter: (v: number) => `${Math.round(v * 100)} %` },
        splitLine: { lineStyle: { color: c.line } },
      },
      series: [
        {
          type: 'bar',
          name: 'hit rate',
          data: rates.map((b) => b.hitRate),
          itemStyle: { color: cssVar('--chart-1') },
          barMaxWidth: 48,
          // The value on each bar: a 0 % bar has no height to see.
          label: { show: true, position: 'top', color: c.fg, fontSize: 10, formatter: (p: { value: unknown }) => percent(Number(p.value)) },
        },
      ],
    };
  }, [rates, by, unit, theme]);
  const el = useChart(option);
  const caption = `Prefix-cache hit rate per ${by}: hits over ${unit} looked up`;
  return (
    <div className="flex flex-col gap-1" data-testid="quality-block-hit-rates" data-blocks={rates.length}>
      <div ref={el} role="img" aria-label={`${caption}. ${rates.map((b) => `${by} ${b.block}: ${percent(b.hitRate)} of ${count(b.lookups)}`).join('; ')}. The table below lists the same numbers.`} className="h-52 w-full" />
      <details className="text-xs">
        <summary className="cursor-pointer select-none text-muted hover:text-fg">Hit rate per {by} as a table</summary>
        <Table
          caption={caption}
          size="xs"
          className="mt-2"
          rows={rates}
          rowKey={(b) => b.block}
          rowProps={() => ({ 'data-testid': 'quality-block-row' })}
          columns={[
            { header: by[0].toUpperCase() + by.slice(1), rowHeader: true, cell: (b) => b.block },
            { header: 'Hit rate', numeric: true, cell: (b) => percent(b.hitRate) },
            { header: `Hits (${unit})`, numeric: true, cell: (b) => count(b.hits) },
            { header: `Looked up (${unit})`, numeric: true, cell: (b) => count(b.lookups) },
          ]}
        />
      </details>
    </div>
  );
}
