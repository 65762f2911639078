'use client';

import { LineChart, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, type GridComponentOption, LegendComponent, type LegendComponentOption, MarkAreaComponent, MarkLineComponent, TooltipComponent, type TooltipComponentOption } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo, useRef } from 'react';
import { useEchart } from '@/components/charts/useEchart';
import { cssVar, useTheme } from '@/components/ui/theme';

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, CanvasRenderer]);

type Option = echarts.ComposeOption<LineSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption>;

export interface ChartLine {
  name: string;
  points: [number, number | null][];
  /** a CSS variable, e.g. --chart-1 */
  color: string;
}

export interface SloChartProps {
  /** accessible summary of what the chart shows (the same numbers are on the page as text) */
  label: string;
  lines: ChartLine[];
  /** y values are ratios shown as percent */
  percent?: boolean;
  /** a horizontal line, e.g. the objective */
  target?: { value: number; label: string };
  /** shaded stretches, e.g. where the budget burned */
  areas?: { from: number; to: number }[];
  /** the time range the x axis spans (unix ms), whatever the data covers */
  range?: { from: number; to: number };
  height?: number;
  testId?: string;
}

/** A time-series line chart in the app's colours (ECharts, canvas). */
export function SloChart({ label, lines, percent, target, areas = [], range, height = 220, testId }: SloChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const { theme } = useTheme();

  // `theme` is read so the chart redraws in the other theme's colours (cssVar reads the live CSS variables).
  const option = useMemo<Option>(() => {
    void theme;
    const text = cssVar('--muted');
    const line = cssVar('--line');
    const fmt = (v: number) => (percent ? `${(v * 100).toFixed(v > 0.999 && v < 1 ? 3 : 1)} %` : String(Number(v.toPrecision(3))));
    return {
      animation: false,
      grid: { left: 56, right: 16, top: 24, bottom: 28 },
      legend: { top: 0, right: 0, textStyle: { color: text }, itemWidth: 12 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? fmt(v) : '–') },
      xAxis: { type: 'time', min: range?.from, max: range?.to, axisLabel: { color: text }, axisLine: { lineStyle: { color: line } } },
      // Ratios top out at 100 %; the bottom shows the objective with room below it (95 % → from 90 %).
      yAxis: {
        type: 'value',
        scale: true,
        max: percent ? (v: { max: number }) => Math.max(1, v.max) : undefined,
        min: percent ? (v: { min: number }) => Math.min(v.min, target ? Math.max(0, 2 * target.value - 1) : v.min) : undefined,
        axisLabel: { color: text, formatter: (v: number) => fmt(v) },
        splitLine: { lineStyle: { color: line } },
      },
      series: lines.map((l, i) => ({
        type: 'line',
        name: l.name,
        // Few points (a new SLO, a short burst of traffic): show them, a lone point draws no line.
        showSymbol: l.points.filter(([, v]) => v !== null).length < 40,
        symbolSize: 4,
        connectNulls: false,
        data: l.points,
        lineStyle: { color: cssVar(l.color), width: 1.5 },
        itemStyle: { color: cssVar(l.color) },
        markLine: i === 0 && target ? { symbol: 'none', silent: true, label: { formatter: target.label, color: text }, lineStyle: { color: cssVar('--warn'), type: 'dashed' }, data: [{ yAxis: target.value }] } : undefined,
        markArea: i === 0 && areas.length ? { silent: true, itemStyle: { color: cssVar('--danger'), opacity: 0.12 }, data: areas.map((a) => [{ xAxis: a.from }, { xAxis: a.to }]) } : undefined,
      })),
    };
  }, [lines, percent, target, areas, range, theme]);
  useEchart(el, option);

  return <div ref={el} role="img" aria-label={label} data-testid={testId} style={{ height }} className="w-full" />;
}
