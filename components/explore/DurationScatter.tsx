'use client';

import { ScatterChart } from 'echarts/charts';
import { BrushComponent, GridComponent, ToolboxComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo, useRef } from 'react';
import { cssVar, useTheme } from '@/components/ui/theme';
import { escapeHtml } from '@/lib/escape-html';
import { formatLatencyMs } from '@/lib/model/latency-view';
import { useEchart } from '@/components/charts/useEchart';

echarts.use([ScatterChart, GridComponent, TooltipComponent, BrushComponent, ToolboxComponent, CanvasRenderer]);

export interface ScatterPoint {
  traceId: string;
  /** unix ms */
  startMs: number;
  durationMs: number;
  name: string;
  error?: boolean;
}

/** Found traces as dots: start time across, duration up. Click a dot to open it; drag across to zoom. */
export function DurationScatter({ points, range, selected, onSelect, onZoom, height = 240 }: { points: ScatterPoint[]; range: { from: number; to: number }; selected?: string | null; onSelect: (traceId: string) => void; onZoom?: (from: number, to: number) => void; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  const { theme } = useTheme();
  const option = useMemo(() => {
    void theme;
    if (!points.length) return null;
    const c = { text: cssVar('--muted'), line: cssVar('--line'), dot: cssVar('--chart-1'), err: cssVar('--danger'), sel: cssVar('--chart-3'), fg: cssVar('--fg') };
    return {
      animation: false,
      grid: { left: 56, right: 16, top: 12, bottom: 36 },
      tooltip: {
        confine: true,
        formatter: (p: { dataIndex?: number }) => {
          const d = points[p.dataIndex ?? -1];
          return d ? `${escapeHtml(d.name)}<br/>${escapeHtml(formatLatencyMs(d.durationMs))} · ${escapeHtml(new Date(d.startMs).toISOString().slice(11, 23))}<br/><span style="font-family:monospace">${escapeHtml(d.traceId)}</span>` : '';
        },
      },
      brush: { xAxisIndex: 0, brushType: 'lineX', brushMode: 'single', brushStyle: { color: 'rgba(120,140,255,0.15)' } },
      toolbox: { show: false },
      xAxis: { type: 'time', min: range.from, max: range.to, axisLabel: { color: c.text, fontSize: 10, hideOverlap: true }, axisLine: { lineStyle: { color: c.line } } },
      yAxis: { type: 'log', name: 'ms', nameTextStyle: { color: c.text, fontSize: 10 }, axisLabel: { color: c.text, fontSize: 10 }, splitLine: { lineStyle: { color: c.line } } },
      series: [
        {
          type: 'scatter',
          symbolSize: (_v: unknown, p: { dataIndex: number }) => (points[p.dataIndex]?.traceId === selected ? 11 : 7),
          cursor: 'pointer',
          data: points.map((d) => ({ value: [d.startMs, Math.max(d.durationMs, 0.001)], itemStyle: { color: d.traceId === selected ? c.sel : d.error ? c.err : c.dot, opacity: 0.8 } })),
        },
      ],
    } satisfies echarts.EChartsCoreOption;
  }, [points, range.from, range.to, selected, theme]);
  useEchart(el, option, {
    onItemClick: (p) => {
      const d = points[p.dataIndex ?? -1];
      if (d) onSelect(d.traceId);
    },
    onBrushX: onZoom,
  });
  if (!option) return null;
  return <div ref={el} role="img" aria-label={`Duration of ${points.length} found traces over time. Drag across to zoom; the table lists the same traces.`} style={{ height }} className="w-full" data-testid="duration-scatter" data-points={points.length} />;
}
