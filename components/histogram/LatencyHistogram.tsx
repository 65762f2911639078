'use client';

import { BarChart, ScatterChart, type BarSeriesOption, type ScatterSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkLineComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo, useRef, type ReactNode } from 'react';
import { useEchart } from '@/components/charts/useEchart';
import { Table } from '@/components/ui/Table';
import { cssVar, useTheme } from '@/components/ui/theme';
import { escapeHtml } from '@/lib/escape-html';
import { buildLatencyView, formatLatencyMs, type LatencyUnit, type LatencyView } from '@/lib/model/latency-view';
import type { Percentile } from '@/lib/model/percentiles';
import type { Exemplar, HistogramSeries } from '@/lib/model/types';

// Only the ECharts parts this chart uses (keeps the bundle small).
echarts.use([BarChart, ScatterChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, CanvasRenderer]);

type Option = echarts.ComposeOption<
  BarSeriesOption | ScatterSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption | MarkLineComponentOption
>;

export interface BucketRange {
  /** exclusive lower bound, in the series' unit */
  lower: number;
  /** inclusive upper bound (Infinity for the +Inf bucket), in the series' unit */
  upper: number;
}

export interface LatencyHistogramProps {
  /** Server-side histogram (Prometheus or the embedded store) for the window; per-bucket counts. */
  series?: HistogramSeries;
  /** Latencies the load generator measured itself, in ms; drawn beside the server's bars. */
  clientLatenciesMs?: readonly number[];
  /** The server's percentiles as its source computed them (exact, estimated or interpolated); else interpolated in `series`. */
  serverPercentiles?: readonly Percentile[];
  /** How many requests the server histogram holds and how sure that is; `estimate` shows counts with ≈. */
  counts?: { kind: 'exact' | 'estimate'; total: number; how: string; spans?: number };
  /** Unit of the bucket bounds and exemplar values (Prometheus `_seconds` histograms: 's'). */
  unit?: LatencyUnit;
  /** Accessible name, e.g. "End-to-end latency". */
  label: string;
  /** Highlighted bucket (e.g. from the URL). Compared by bounds. */
  selected?: BucketRange | null;
  /** A bucket was chosen (click on its column, or its button in the table). Bounds are in `unit`. */
  onBucketClick?: (bucket: BucketRange) => void;
  /** An exemplar dot was clicked; without this handler a dot click selects its bucket. */
  onExemplarClick?: (exemplar: Exemplar) => void;
  /** Chart height in px (default 280). */
  height?: number;
  /** Shown when there is nothing to draw; say what to do next. */
  emptyText?: ReactNode;
}

const sameBucket = (a: BucketRange | null | undefined, b: BucketRange) => !!a && a.lower === b.lower && a.upper === b.upper;

/** A request count: whole numbers as they are, estimates rounded with ≈ (never "115.75 requests"). */
export function countText(n: number, estimate: boolean): string {
  if (!estimate && Number.isInteger(n)) return String(n);
  const r = Math.round(n);
  return r === 0 && n > 0 ? '≈ <1' : `≈ ${r}`;
}

/** "p50 1.21 s · p90 1.4 s", with ≈ on estimates. */
export function percentileText(ps: readonly Percentile[]): string {
  return ps.map((p) => `${p.name} ${p.method === 'exact' ? '' : '≈ '}${formatLatencyMs(p.valueMs)}`).join(' · ');
}

/** How the server percentiles were obtained, in words, with the buckets' widths when interpolated. */
export function percentileMethodText(ps: readonly Percentile[]): string {
  if (!ps.length) return '';
  if (ps.every((p) => p.method === 'exact')) return 'exact, from every request';
  if (ps.every((p) => p.method === 'estimate')) return 'estimated from sampled spans';
  const buckets = ps
    .filter((p) => p.bucketMs)
    .map((p) =>
      p.bucketMs!.upper === Infinity ? `${p.name} above ${formatLatencyMs(p.bucketMs!.lower)}, the last bound` : `${p.name} in ${formatLatencyMs(p.bucketMs!.lower)} – ${formatLatencyMs(p.bucketMs!.upper)}`,
    );
  return `interpolated within their buckets (${buckets.join(', ')})`;
}

/** Tooltip body. ECharts inserts the returned string as HTML, so every piece is escaped. */
function tooltipHtml(view: LatencyView, i: number, estimate: boolean): string {
  const lines = [`<strong>${escapeHtml(view.ranges[i])}</strong>`, `server: ${escapeHtml(countText(view.server[i], estimate))} requests`];
  if (view.client) lines.push(`client-measured: ${escapeHtml(view.client[i])} requests`);
  const ex = view.exemplars.filter((e) => e.index === i);
  if (ex.length) {
    lines.push(`exemplars: ${ex.length}`);
    for (const e of ex) lines.push(`&nbsp;· ${escapeHtml(formatLatencyMs(e.valueMs))} trace ${escapeHtml((e.traceId ?? 'unknown').slice(0, 32))}`);
  }
  lines.push('<em>click to list the traces</em>');
  return lines.join('<br/>');
}

/** Top of the plot area: room for the legend and three rows of percentile labels; the tooltip stays below it. */
const GRID_TOP = 64;

function buildOption(view: LatencyView, selectedIndex: number, estimate: boolean): Option {
  const c = {
    server: cssVar('--chart-1'),
    client: cssVar('--chart-2'),
    exemplar: cssVar('--chart-3'),
    selected: cssVar('--chart-selected'),
    text: cssVar('--muted'),
    line: cssVar('--line'),
    fg: cssVar('--fg'),
    panel: cssVar('--panel'),
  };
  // Canvas text, not HTML. One label per bucket ("p90 p99"); a neighbour's goes a row up (view.markers).
  const markers: NonNullable<MarkLineComponentOption['data']> = view.markers.map((m) => ({
    name: m.text,
    xAxis: m.index,
    label: { formatter: m.text, color: c.fg, fontSize: 10, distance: 2 + m.row * 12 },
  }));
  const bar = (name: string, data: number[], color: string): BarSeriesOption => ({
    type: 'bar',
    name,
    barGap: '10%',
    data: data.map((v, i) => ({ value: v, itemStyle: i === selectedIndex ? { color: c.selected, borderColor: c.fg, borderWidth: 1 } : undefined })),
    itemStyle: { color },
    emphasis: { focus: 'none' },
  });
  const series: Option['series'] = [
    {
      ...bar('Server (histogram)', view.server, c.server),
      markLine: markers.length ? { symbol: 'none', silent: true, lineStyle: { color: c.text, type: 'dashed' }, data: markers } : undefined,
    },
  ];
  if (view.client) series.push(bar('Client-measured', view.client, c.client));
  if (view.exemplars.length) {
    series.push({
      type: 'scatter',
      name: 'Exemplars',
      data: view.exemplars.map((e) => [e.index, e.y]),
      symbolSize: 9,
      itemStyle: { color: c.exemplar, borderColor: c.panel, borderWidth: 1.5 },
      z: 5,
      cursor: 'pointer',
    });
  }
  return {
    animation: false,
    grid: { left: 48, right: 16, top: GRID_TOP, bottom: 40 },
    legend: { top: 4, textStyle: { color: c.text }, itemWidth: 12, itemHeight: 8 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      confine: true,
      // Beside the pointer and never above the plot, so the legend and the percentile labels stay readable.
      position: (point: number[], _p: unknown, _d: unknown, _r: unknown, size: { contentSize: number[]; viewSize: number[] }) => {
        const [w, h] = size.contentSize;
        const [vw, vh] = size.viewSize;
        const x = point[0] + 16 + w <= vw ? point[0] + 16 : Math.max(0, point[0] - 16 - w);
        const y = Math.max(GRID_TOP, Math.min(point[1] - h / 2, vh - h));
        return [x, y];
      },
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as { dataIndex?: number; seriesType?: string }[];
        const p = list.find((x) => x.seriesType === 'bar') ?? list[0];
        return typeof p?.dataIndex === 'number' && p.dataIndex < view.labels.length ? tooltipHtml(view, p.dataIndex, estimate) : '';
      },
    },
    xAxis: {
      type: 'category',
      data: view.labels,
      axisLabel: { color: c.text, fontSize: 10, hideOverlap: true },
      axisLine: { lineStyle: { color: c.line } },
      name: 'latency (bucket upper bound)',
      nameLocation: 'middle',
      nameGap: 26,
      nameTextStyle: { color: c.text, fontSize: 10 },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      name: 'requests',
      nameTextStyle: { color: c.text, fontSize: 10 },
      axisLabel: { color: c.text, fontSize: 10 },
      splitLine: { lineStyle: { color: c.line } },
    },
    series,
  };
}

/**
 * Latency histogram of one metric (end-to-end, TTFT or TPOT: the parent picks
 * with <Tabs> and passes the matching series). Server buckets with p50/p90/p99
 * markers, the load generator's own latencies beside them, exemplar dots, and a
 * table of buckets with buttons as the keyboard alternative to the canvas.
 */
export function LatencyHistogram({ series, clientLatenciesMs, serverPercentiles, counts, unit = 's', label, selected, onBucketClick, onExemplarClick, height = 280, emptyText }: LatencyHistogramProps) {
  const view = useMemo(() => buildLatencyView(series, clientLatenciesMs, unit, { serverPercentiles }), [series, clientLatenciesMs, unit, serverPercentiles]);
  const estimate = counts?.kind === 'estimate';
  const { theme } = useTheme();
  const el = useRef<HTMLDivElement>(null);
  const selectedIndex = view.buckets.findIndex((b) => sameBucket(selected, b));
  const isEmpty = view.buckets.length === 0 || (view.serverTotal === 0 && view.clientTotal === 0);

  // Latest values for the long-lived chart event handlers.
  const latest = useRef({ view, onBucketClick, onExemplarClick });
  latest.current = { view, onBucketClick, onExemplarClick };

  // biome-ignore lint/correctness/useExhaustiveDependencies: theme: the colours are read from CSS variables that change with it
  const option = useMemo(() => (isEmpty ? null : buildOption(view, selectedIndex, estimate)), [view, selectedIndex, theme, isEmpty, estimate]);
  useEchart(el, option, {
    onInit: (c) => {
      let exemplarHitAt = 0;
      c.on('click', (p: { seriesType?: string; dataIndex?: number }) => {
        if (p.seriesType !== 'scatter' || typeof p.dataIndex !== 'number') return;
        const { view, onExemplarClick } = latest.current;
        const point = view.exemplars[p.dataIndex];
        if (!point || !onExemplarClick) return;
        exemplarHitAt = Date.now();
        onExemplarClick(point.exemplar);
      });
      // A click anywhere in a bucket's column selects it: short bars are hard to hit.
      c.getZr().on('click', (e: { offsetX: number; offsetY: number }) => {
        setTimeout(() => {
          if (Date.now() - exemplarHitAt < 100) return;
          const { view, onBucketClick } = latest.current;
          if (!onBucketClick || !c.containPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY])) return;
          const idx = c.convertFromPixel({ xAxisIndex: 0 }, e.offsetX) as unknown as number;
          const b = view.buckets[Math.round(Number(idx))];
          if (b) onBucketClick({ lower: b.lower, upper: b.upper });
        }, 0);
      });
    },
  });

  if (isEmpty) {
    return (
      <div data-testid="latency-histogram-empty" className="flex items-center justify-center rounded-md border border-dashed border-line p-6 text-sm text-muted" style={{ minHeight: height / 2 }}>
        {emptyText ?? 'No requests were recorded in this window.'}
      </div>
    );
  }

  const serverTotal = counts?.total ?? view.serverTotal;
  const serverLine = `Server: ${countText(serverTotal, estimate)} request${serverTotal === 1 ? '' : 's'}${counts ? ` (${counts.how})` : ''}${
    view.serverPercentiles.length ? `; ${percentileText(view.serverPercentiles)}, ${percentileMethodText(view.serverPercentiles)}` : ''
  }.`;
  const clientLine = view.client
    ? `Client: ${view.clientTotal} request${view.clientTotal === 1 ? '' : 's'} measured by the load generator${view.clientPercentiles.length ? `; ${percentileText(view.clientPercentiles)}, exact` : ''}.`
    : '';
  const summary = [serverLine, clientLine].filter(Boolean).join(' ');

  return (
    <div className="flex flex-col gap-2" data-testid="latency-histogram" data-total={serverTotal} data-count-kind={counts?.kind} data-client-total={view.clientTotal}>
      <div ref={el} role="img" aria-label={`${label}. ${summary} The bucket table below lists the same data.`} style={{ height }} className="w-full" />
      <div className="flex flex-col gap-0.5 text-xs text-muted" data-testid="latency-summary">
        <p data-testid="latency-summary-server">{serverLine}</p>
        {clientLine && <p data-testid="latency-summary-client">{clientLine}</p>}
        {view.clientOutside > 0 && <p>{view.clientOutside} client latencies fall outside the buckets.</p>}
        {(view.trimmed.below > 0 || view.trimmed.above > 0) && (
          <p>
            Showing the buckets from {view.ranges[0]} to {view.ranges[view.ranges.length - 1]}, where the requests are; the empty ones beyond are left out.
          </p>
        )}
      </div>
      <details className="text-xs">
        <summary className="cursor-pointer select-none text-muted hover:text-fg">Buckets as a table{onBucketClick ? ' (choose a bucket with the keyboard)' : ''}</summary>
        <Table
          caption={`${label}: requests per latency bucket`}
          size="xs"
          className="mt-2"
          rows={view.buckets.map((bucket, i) => ({ bucket, i }))}
          rowKey={({ bucket: b }) => `${b.lower}-${b.upper}`}
          rowProps={({ i }) => ({ 'data-testid': 'histogram-bucket-row', className: i === selectedIndex ? 'bg-panel-2 font-semibold' : '' })}
          columns={[
            { header: 'Latency', rowHeader: true, cell: ({ i }) => view.ranges[i] },
            { header: 'Server', align: 'right', className: 'tabular-nums', cell: ({ i }) => countText(view.server[i], estimate) },
            !!view.client && { header: 'Client', align: 'right', className: 'tabular-nums', cell: ({ i }) => view.client?.[i] },
            { header: 'Exemplars', align: 'right', className: 'tabular-nums', cell: ({ i }) => view.exemplars.filter((e) => e.index === i).length },
            !!onBucketClick && {
              header: 'Action',
              srOnlyHeader: true,
              cell: ({ bucket: b, i }) => (
                <button
                  type="button"
                  aria-pressed={i === selectedIndex}
                  onClick={() => onBucketClick({ lower: b.lower, upper: b.upper })}
                  className="rounded border border-line px-1.5 py-0.5 hover:bg-panel-2"
                  data-testid="histogram-bucket-button"
                >
                  Traces <span className="sr-only">in {view.ranges[i]}</span>
                </button>
              ),
            },
          ]}
        />
      </details>
    </div>
  );
}
