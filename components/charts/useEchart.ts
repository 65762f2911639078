'use client';

// One ECharts instance per chart element, for every chart of the app: created
// when the element exists (a null option: not yet, e.g. an empty state shows
// instead), resized with it, redrawn when the option changes (the charts build
// theirs from the theme's colours), disposed on unmount. Event handlers are
// read through a ref, so they may change on every render. `onBrushX` turns on
// drag-to-select along the time axis (a lineX brush that is always armed) and
// reports the chosen x range: how every chart on Explore zooms the shared time
// range. `onInit` wires anything else on a new instance (zrender events).
import * as echarts from 'echarts/core';
import { useEffect, useRef, type RefObject } from 'react';

export interface ChartHandlers {
  /** a series item was clicked */
  onItemClick?: (p: { seriesIndex?: number; seriesId?: string; dataIndex?: number; data?: unknown; value?: unknown }) => void;
  /** a drag along x ended: the x axis values at its ends (time axes: unix ms) */
  onBrushX?: (from: number, to: number) => void;
  /** a new instance was created (before its first option): extra wiring, e.g. clicks on the plot's background */
  onInit?: (chart: echarts.ECharts) => void;
}

export function useEchart(el: RefObject<HTMLDivElement | null>, option: echarts.EChartsCoreOption | null, handlers: ChartHandlers = {}): RefObject<echarts.ECharts | null> {
  const chart = useRef<echarts.ECharts | null>(null);
  const latest = useRef(handlers);
  latest.current = handlers;
  const active = option !== null;
  const brushable = !!handlers.onBrushX;

  useEffect(() => {
    if (!active || !el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => latest.current.onItemClick?.(p as Parameters<NonNullable<ChartHandlers['onItemClick']>>[0]));
    c.on('brushEnd', (p) => {
      const area = (p as { areas?: { coordRange?: number[] }[] }).areas?.[0];
      const [a, b] = area?.coordRange ?? [];
      c.dispatchAction({ type: 'brush', areas: [] });
      if (typeof a === 'number' && typeof b === 'number' && Math.abs(b - a) > 0) latest.current.onBrushX?.(Math.min(a, b), Math.max(a, b));
    });
    latest.current.onInit?.(c);
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [active, el]);

  useEffect(() => {
    const c = chart.current;
    if (!c || !option) return;
    c.setOption(option, { notMerge: true });
    if (brushable) c.dispatchAction({ type: 'takeGlobalCursor', key: 'brush', brushOption: { brushType: 'lineX', brushMode: 'single' } });
  }, [option, brushable]);

  return chart;
}
