'use client';

import { HeatmapChart, ScatterChart } from 'echarts/charts';
import { BrushComponent, GridComponent, ToolboxComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo, useRef } from 'react';
import { cssVar, useTheme } from '@/components/ui/theme';
import { escapeHtml } from '@/lib/escape-html';
import { trimRows, type Heatmap, type HeatmapCell } from '@/lib/explore/heatmap';
import { formatLatencyMs } from '@/lib/model/latency-view';
import { useEchart } from '@/components/charts/useEchart';

echarts.use([HeatmapChart, ScatterChart, GridComponent, TooltipComponent, VisualMapComponent, BrushComponent, ToolboxComponent, CanvasRenderer]);

const bandText = (r: { lower: number; upper: number }) => (Number.isFinite(r.upper) ? `${formatLatencyMs(r.lower * 1000)}–${formatLatencyMs(r.upper * 1000)}` : `> ${formatLatencyMs(r.lower * 1000)}`);
const timeText = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const countText = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(3));

export const cellOf = (h: Heatmap, column: number, row: number): HeatmapCell => ({ from: h.times[column], to: h.times[column] + h.stepMs, lower: h.rows[row].lower, upper: h.rows[row].upper });
const sameCell = (a: HeatmapCell | null | undefined, b: HeatmapCell) => !!a && a.from === b.from && a.lower === b.lower && a.upper === b.upper;

export interface LatencyHeatmapProps {
  heatmap: Heatmap;
  label: string;
  selected?: HeatmapCell | null;
  onCell?: (cell: HeatmapCell) => void;
  onZoom?: (from: number, to: number) => void;
  height?: number;
}

/**
 * Latency over time as a heatmap (Coroot's move): columns are time steps,
 * rows latency bands, colour how many requests. Click a cell to list its
 * traces; drag across to zoom every panel; exemplars as dots. The slowest
 * cells are also buttons below (the keyboard way in).
 */
export function LatencyHeatmap({ heatmap, label, selected, onCell, onZoom, height = 260 }: LatencyHeatmapProps) {
  const el = useRef<HTMLDivElement>(null);
  const h = useMemo(() => trimRows(heatmap), [heatmap]);
  const { theme } = useTheme();
  const { data, max, total } = useMemo(() => {
    const out: [number, number, number][] = [];
    let m = 0;
    let sum = 0;
    h.counts.forEach((col, x) => {
      col.forEach((v, y) => {
        if (v > 0) out.push([x, y, v]);
        m = Math.max(m, v);
        sum += v;
      });
    });
    return { data: out, max: m, total: sum };
  }, [h]);
  const rowLabels = useMemo(() => h.rows.map(bandText), [h]);
  const dots = useMemo(() => {
    const rowOf = (v: number) => h.rows.findIndex((r) => v > r.lower && v <= r.upper);
    return h.exemplars
      .map((e) => ({ e, x: Math.floor((e.timestamp - (h.times[0] ?? 0)) / h.stepMs), y: rowOf(e.value) }))
      .filter((d) => d.x >= 0 && d.x < h.times.length && d.y >= 0);
  }, [h]);

  const option = useMemo(() => {
    void theme;
    if (!h.times.length || !h.rows.length) return null;
    const c = { text: cssVar('--muted'), line: cssVar('--line'), low: cssVar('--panel-2'), high: cssVar('--chart-1'), hot: cssVar('--chart-3'), fg: cssVar('--fg'), panel: cssVar('--panel') };
    const sel = selected ? data.findIndex(([x, y]) => sameCell(selected, cellOf(h, x, y))) : -1;
    return {
      animation: false,
      grid: { left: 84, right: 16, top: 12, bottom: 48 },
      tooltip: {
        confine: true,
        formatter: (p: { seriesType?: string; value?: [number, number, number]; dataIndex?: number }) => {
          if (p.seriesType === 'scatter') {
            const d = dots[p.dataIndex ?? -1];
            return d ? `exemplar ${escapeHtml(formatLatencyMs(d.e.value * 1000))}<br/>trace ${escapeHtml(d.e.traceId ?? 'unknown')}` : '';
          }
          const [x, y, v] = p.value ?? [0, 0, 0];
          return `${escapeHtml(timeText(h.times[x]))} · ${escapeHtml(rowLabels[y])}<br/><b>${escapeHtml(countText(v))}</b> ${escapeHtml(h.unit)}<br/><em>click to list the traces</em>`;
        },
      },
      brush: { xAxisIndex: 0, brushType: 'lineX', brushMode: 'single', brushStyle: { color: 'rgba(120,140,255,0.15)' } },
      toolbox: { show: false },
      xAxis: { type: 'category', data: h.times.map(timeText), axisLabel: { color: c.text, fontSize: 10, hideOverlap: true }, axisLine: { lineStyle: { color: c.line } }, splitArea: { show: false } },
      yAxis: { type: 'category', data: rowLabels, axisLabel: { color: c.text, fontSize: 10 }, axisLine: { lineStyle: { color: c.line } } },
      visualMap: { min: 0, max: Math.max(max, 1e-9), show: false, inRange: { color: [c.low, c.high, c.hot] }, seriesIndex: 0 },
      series: [
        {
          type: 'heatmap',
          data: data.map((d, i) => (i === sel ? { value: d, itemStyle: { borderColor: c.fg, borderWidth: 2 } } : d)),
          emphasis: { itemStyle: { borderColor: c.fg, borderWidth: 1 } },
          cursor: 'pointer',
        },
        {
          type: 'scatter',
          id: 'exemplars',
          data: dots.map((d) => [d.x, d.y]),
          symbolSize: 7,
          itemStyle: { color: c.fg, borderColor: c.panel, borderWidth: 1 },
          cursor: 'pointer',
          z: 5,
        },
      ],
    } satisfies echarts.EChartsCoreOption;
  }, [h, data, max, dots, rowLabels, selected, theme]);

  useEchart(el, option, {
    onItemClick: (p) => {
      if (!onCell) return;
      // An exemplar dot chooses the cell it sits in; a cell itself carries [column, row, count].
      const d = p.seriesId === 'exemplars' ? dots[p.dataIndex ?? -1] : undefined;
      if (d) onCell(cellOf(h, d.x, d.y));
      else if (Array.isArray(p.value)) onCell(cellOf(h, p.value[0] as number, p.value[1] as number));
    },
    // The x axis is categories: brushed indexes → the columns' times.
    onBrushX: onZoom
      ? (a, b) => {
          const from = h.times[Math.max(0, Math.floor(a))];
          const to = (h.times[Math.min(h.times.length - 1, Math.ceil(b))] ?? from) + h.stepMs;
          if (from !== undefined && to > from) onZoom(from, to);
        }
      : undefined,
  });

  if (!option) {
    return <div className="flex items-center justify-center rounded-md border border-dashed border-line p-6 text-sm text-muted" style={{ minHeight: height / 2 }} data-testid="heatmap-empty">Nothing to draw: no observations in this range.</div>;
  }
  // Slow requests are the point: the slowest bands first, the busier cell first within a band.
  const slowest = [...data].sort((a, b) => b[1] - a[1] || b[2] - a[2]).slice(0, 10);
  return (
    <div className="flex flex-col gap-1" data-testid="latency-heatmap" data-total={total} data-cells={data.length}>
      <div ref={el} role="img" aria-label={`${label}: ${countText(total)} ${h.unit} over ${h.times.length} steps and ${h.rows.length} latency bands. Click a cell to list its traces, drag across to zoom; the slowest cells are buttons below.`} style={{ height }} className="w-full" />
      {onCell && (
        <details className="text-xs">
          <summary className="cursor-pointer select-none text-muted hover:text-fg">Slowest cells (choose one with the keyboard)</summary>
          <ul className="mt-1 flex flex-wrap gap-1">
            {slowest.map(([x, y, v]) => {
              const cell = cellOf(h, x, y);
              return (
                <li key={`${x}-${y}`}>
                  <button type="button" aria-pressed={sameCell(selected, cell)} onClick={() => onCell(cell)} className="rounded border border-line px-1.5 py-0.5 hover:bg-panel-2" data-testid="heatmap-cell-button">
                    {timeText(cell.from)} · {rowLabels[y]} · {countText(v)}
                  </button>
                </li>
              );
            })}
          </ul>
        </details>
      )}
    </div>
  );
}
