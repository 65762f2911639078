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
import { useEffect, useId, useMemo, useRef, type ReactNode } from 'react';
import { cssVar, useTheme } from '@/components/ui/theme';
import { escapeHtml } from '@/lib/escape-html';
import { buildLatencyView, formatLatencyMs, type LatencyUnit, type LatencyView, type PercentileMarker } from '@/lib/model/latency-view';
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

function percentileText(ps: PercentileMarker[]): string {
  return ps.map((p) => `${p.name} ${formatLatencyMs(p.valueMs)}`).join(' · ');
}

/** Tooltip body. ECharts inserts the returned string as HTML, so every piece is escaped. */
function tooltipHtml(view: LatencyView, i: number): string {
  const lines = [`<strong>${escapeHtml(view.ranges[i])}</strong>`, `server: ${escapeHtml(view.server[i])} requests`];
  if (view.client) lines.push(`client-measured: ${escapeHtml(view.client[i])} requests`);
  const ex = view.exemplars.filter((e) => e.index === i);
  if (ex.length) {
    lines.push(`exemplars: ${ex.length}`);
    for (const e of ex) lines.push(`&nbsp;· ${escapeHtml(formatLatencyMs(e.valueMs))} trace ${escapeHtml((e.traceId ?? 'unknown').slice(0, 32))}`);
  }
  lines.push('<em>click to list the traces</em>');
  return lines.join('<br/>');
}

function buildOption(view: LatencyView, selectedIndex: number): Option {
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
  const markers: NonNullable<MarkLineComponentOption['data']> = view.serverPercentiles
    .filter((p) => p.index >= 0)
    .map((p, i) => ({
      name: p.name,
      xAxis: p.index,
      // Canvas text, not HTML. Percentiles often land in neighbouring buckets, so
      // their labels are stacked one line apart above the plot instead of overlapping.
      label: { formatter: `${p.name} ${formatLatencyMs(p.valueMs)}`, color: c.fg, fontSize: 10, distance: 2 + i * 12 },
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
    grid: { left: 48, right: 16, top: 64, bottom: 40 }, // room above for three stacked percentile labels
    legend: { top: 4, textStyle: { color: c.text }, itemWidth: 12, itemHeight: 8 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      confine: true,
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as { dataIndex?: number; seriesType?: string }[];
        const p = list.find((x) => x.seriesType === 'bar') ?? list[0];
        return typeof p?.dataIndex === 'number' && p.dataIndex < view.labels.length ? tooltipHtml(view, p.dataIndex) : '';
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
export function LatencyHistogram({ series, clientLatenciesMs, unit = 's', label, selected, onBucketClick, onExemplarClick, height = 280, emptyText }: LatencyHistogramProps) {
  const view = useMemo(() => buildLatencyView(series, clientLatenciesMs, unit), [series, clientLatenciesMs, unit]);
  const { theme } = useTheme();
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const tableId = useId();
  const selectedIndex = view.buckets.findIndex((b) => sameBucket(selected, b));
  const isEmpty = view.buckets.length === 0 || (view.serverTotal === 0 && view.clientTotal === 0);

  // Latest values for the long-lived chart event handlers.
  const latest = useRef({ view, onBucketClick, onExemplarClick });
  latest.current = { view, onBucketClick, onExemplarClick };

  useEffect(() => {
    if (isEmpty || !el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
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
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [isEmpty]);

  useEffect(() => {
    chart.current?.setOption(buildOption(view, selectedIndex), { notMerge: true });
  }, [view, selectedIndex, theme, isEmpty]);

  if (isEmpty) {
    return (
      <div data-testid="latency-histogram-empty" className="flex items-center justify-center rounded-md border border-dashed border-line p-6 text-sm text-muted" style={{ minHeight: height / 2 }}>
        {emptyText ?? 'No requests were recorded in this window.'}
      </div>
    );
  }

  const summary = [
    `${view.serverTotal} requests in the server histogram${view.serverPercentiles.length ? ` (${percentileText(view.serverPercentiles)})` : ''}`,
    view.client ? `${view.clientTotal} measured by the load generator${view.clientPercentiles.length ? ` (${percentileText(view.clientPercentiles)})` : ''}` : '',
  ]
    .filter(Boolean)
    .join('; ');

  return (
    <div className="flex flex-col gap-2" data-testid="latency-histogram" data-total={view.serverTotal} data-client-total={view.clientTotal}>
      <div ref={el} role="img" aria-label={`${label}: ${summary}. The bucket table below lists the same data.`} style={{ height }} className="w-full" />
      <p className="text-xs text-muted" data-testid="latency-summary">
        {summary}
        {view.clientOutside > 0 ? ` · ${view.clientOutside} client latencies fall outside the buckets` : ''}
      </p>
      <details className="text-xs">
        <summary className="cursor-pointer select-none text-muted hover:text-fg">Buckets as a table{onBucketClick ? ' (choose a bucket with the keyboard)' : ''}</summary>
        <table className="mt-2 w-full border-collapse text-left" aria-describedby={tableId}>
          <caption id={tableId} className="sr-only">
            {label}: requests per latency bucket
          </caption>
          <thead className="text-muted">
            <tr>
              <th scope="col" className="py-1 pr-2 font-medium">
                Latency
              </th>
              <th scope="col" className="py-1 pr-2 text-right font-medium">
                Server
              </th>
              {view.client && (
                <th scope="col" className="py-1 pr-2 text-right font-medium">
                  Client
                </th>
              )}
              <th scope="col" className="py-1 pr-2 text-right font-medium">
                Exemplars
              </th>
              {onBucketClick && (
                <th scope="col" className="py-1 font-medium">
                  <span className="sr-only">Action</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {view.buckets.map((b, i) => {
              const isSel = i === selectedIndex;
              return (
                <tr key={`${b.lower}-${b.upper}`} className={`border-t border-line ${isSel ? 'bg-panel-2 font-semibold' : ''}`} data-testid="histogram-bucket-row">
                  <th scope="row" className="py-1 pr-2 font-normal">
                    {view.ranges[i]}
                  </th>
                  <td className="py-1 pr-2 text-right tabular-nums">{view.server[i]}</td>
                  {view.client && <td className="py-1 pr-2 text-right tabular-nums">{view.client[i]}</td>}
                  <td className="py-1 pr-2 text-right tabular-nums">{view.exemplars.filter((e) => e.index === i).length}</td>
                  {onBucketClick && (
                    <td className="py-1">
                      <button
                        type="button"
                        aria-pressed={isSel}
                        onClick={() => onBucketClick({ lower: b.lower, upper: b.upper })}
                        className="rounded border border-line px-1.5 py-0.5 hover:bg-panel-2"
                        data-testid="histogram-bucket-button"
                      >
                        Traces <span className="sr-only">in {view.ranges[i]}</span>
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </details>
    </div>
  );
}
