'use client';

import { LineChart, ScatterChart } from 'echarts/charts';
import { BrushComponent, GridComponent, LegendComponent, ToolboxComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo, useRef } from 'react';
import { cssVar, useTheme } from '@/components/ui/theme';
import { escapeHtml } from '@/lib/escape-html';
import type { HeatmapExemplar } from '@/lib/explore/heatmap';
import type { Series } from '@/lib/model/types';
import { useEchart } from '@/components/charts/useEchart';

echarts.use([LineChart, ScatterChart, GridComponent, TooltipComponent, LegendComponent, BrushComponent, ToolboxComponent, CanvasRenderer]);

/** `{a="1", b="2"}`, or the metric name alone. */
export function seriesName(labels: Record<string, string>): string {
  const { __name__: name = '', ...rest } = labels;
  const inner = Object.entries(rest)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  return inner ? `${name}{${inner}}` : name || '{}';
}

const PALETTE = ['--chart-1', '--chart-2', '--chart-4', '--chart-5', '--chart-6', '--chart-3'];
const num = (v: number) => (Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : String(Number(v.toFixed(3))));

export interface TimeSeriesChartProps {
  series: Series[];
  /** exemplar dots on a second axis (their value, e.g. seconds); clicking one opens its trace */
  exemplars?: HeatmapExemplar[];
  range: { from: number; to: number };
  label: string;
  height?: number;
  onExemplarClick?: (e: HeatmapExemplar) => void;
  /** drag across the chart to zoom every panel to that time */
  onZoom?: (from: number, to: number) => void;
}

/** PromQL series as lines over the shared range, exemplars as dots; drag to zoom. */
export function TimeSeriesChart({ series, exemplars = [], range, label, height = 260, onExemplarClick, onZoom }: TimeSeriesChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const { theme } = useTheme();
  const shown = useMemo(() => series.slice(0, 50), [series]);
  const option = useMemo(() => {
    void theme;
    const c = { text: cssVar('--muted'), line: cssVar('--line'), exemplar: cssVar('--chart-3'), panel: cssVar('--panel') };
    const lines = shown.map((s, i) => ({
      type: 'line' as const,
      name: seriesName(s.labels),
      showSymbol: s.values.length < 3,
      symbolSize: 4,
      connectNulls: false,
      lineStyle: { width: 1.5 },
      itemStyle: { color: cssVar(PALETTE[i % PALETTE.length]) },
      data: s.values.map(([t, v]) => [t, Number.isFinite(v) ? v : null]),
    }));
    const dots = exemplars.length
      ? [
          {
            type: 'scatter' as const,
            id: 'exemplars',
            name: 'Exemplars',
            yAxisIndex: 1,
            symbolSize: 8,
            cursor: 'pointer',
            itemStyle: { color: c.exemplar, borderColor: c.panel, borderWidth: 1 },
            data: exemplars.map((e) => [e.timestamp, e.value]),
            z: 5,
          },
        ]
      : [];
    return {
      animation: false,
      grid: { left: 56, right: exemplars.length ? 56 : 16, top: 28, bottom: 36 },
      legend: { show: shown.length > 1 && shown.length <= 8, top: 0, type: 'scroll', textStyle: { color: c.text, fontSize: 10 } },
      tooltip: {
        trigger: 'axis',
        confine: true,
        // ECharts inserts this as HTML: every label value is escaped.
        formatter: (params: unknown) => {
          const list = (Array.isArray(params) ? params : [params]) as { seriesName?: string; value?: [number, number | null]; seriesType?: string }[];
          const t = list[0]?.value?.[0];
          const rows = list
            .filter((p) => p.seriesType === 'line' && p.value?.[1] !== null)
            .slice(0, 10)
            .map((p) => `${escapeHtml(p.seriesName ?? '')}: <b>${escapeHtml(num(p.value![1]!))}</b>`);
          return [t ? escapeHtml(new Date(t).toISOString().slice(11, 19)) : '', ...rows].join('<br/>');
        },
      },
      brush: { xAxisIndex: 0, brushType: 'lineX', brushMode: 'single', throttleType: 'debounce', brushStyle: { color: 'rgba(120,140,255,0.15)' } },
      toolbox: { show: false },
      xAxis: { type: 'time', min: range.from, max: range.to, axisLabel: { color: c.text, fontSize: 10, hideOverlap: true }, axisLine: { lineStyle: { color: c.line } } },
      yAxis: [
        { type: 'value', scale: true, axisLabel: { color: c.text, fontSize: 10, formatter: num }, splitLine: { lineStyle: { color: c.line } } },
        { type: 'value', show: exemplars.length > 0, name: 'exemplar', nameTextStyle: { color: c.text, fontSize: 10 }, axisLabel: { color: c.text, fontSize: 10, formatter: num }, splitLine: { show: false } },
      ],
      series: [...lines, ...dots],
    } satisfies echarts.EChartsCoreOption;
  }, [shown, exemplars, range.from, range.to, theme]);

  useEchart(el, option, {
    onItemClick: (p) => {
      if (p.seriesId === 'exemplars' && typeof p.dataIndex === 'number' && exemplars[p.dataIndex]) onExemplarClick?.(exemplars[p.dataIndex]);
    },
    onBrushX: onZoom,
  });

  const traced = exemplars.filter((e) => e.traceId);
  return (
    <div className="flex flex-col gap-1" data-testid="timeseries-chart" data-series={series.length} data-exemplars={exemplars.length}>
      <div ref={el} role="img" aria-label={`${label}: ${series.length} series${exemplars.length ? `, ${exemplars.length} exemplars` : ''}. Drag across it to zoom; the list below opens exemplar traces.`} style={{ height }} className="w-full" />
      {series.length > shown.length && <p className="text-xs text-warn">Drawing the first {shown.length} of {series.length} series; narrow the query to see the rest.</p>}
      {traced.length > 0 && onExemplarClick && (
        <details className="text-xs">
          <summary className="cursor-pointer select-none text-muted hover:text-fg">Exemplars as a list ({traced.length})</summary>
          <ul className="mt-1 flex max-h-40 flex-col overflow-auto">
            {traced.slice(0, 100).map((e) => (
              <li key={`${e.traceId}-${e.timestamp}`}>
                <button type="button" className="font-mono text-accent underline-offset-2 hover:underline" onClick={() => onExemplarClick(e)} data-testid="exemplar-button">
                  {new Date(e.timestamp).toISOString().slice(11, 23)} · {num(e.value)} · trace {e.traceId}
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
