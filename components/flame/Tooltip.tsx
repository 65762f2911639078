'use client';

// The hover box: text only (frame names are untrusted telemetry), with its
// own state so that moving the mouse re-renders nothing else.
import { memo, useEffect, useState } from 'react';
import { COLLAPSED, frameParts, moduleOf, widthOf, type FlameModel } from '@/lib/model/flame';
import type { FrameHit } from './FlameCanvas';
import { formatPercent, formatValue } from './format';
import styles from './FlameGraph.module.css';

export interface TipTarget {
  hit: FrameHit;
  /** the model the hit frame belongs to (a sandwich pane has its own) */
  model: FlameModel;
}

/** The lines describing one frame: function, where it lives, its numbers. */
export function tooltipLines(model: FlameModel, hit: FrameHit, unit: string): { title: string; where: string | null; lines: string[] } {
  const { layout, frame } = hit;
  const i = layout.node[frame];
  const fmt = (v: number) => formatValue(v, unit);
  const pct = (v: number, of: number) => formatPercent(of > 0 ? (100 * v) / of : 0);
  if (layout.kind[frame] === COLLAPSED) {
    const n = layout.runLength[frame];
    const v = layout.runValue[frame];
    return {
      title: `${n} frame${n === 1 ? '' : 's'} too narrow to draw here`,
      where: 'Click or zoom in to see them.',
      lines: [`Together: ${fmt(v)} (${pct(v, widthOf(model, 0))})`],
    };
  }
  const name = model.names[model.name[i]];
  const parts = frameParts(name);
  const where = parts.file ? `${parts.file}${parts.line ? `:${parts.line}` : ''}` : moduleOf(name) || null;
  if (model.right) {
    const L = model.value[0];
    const R = model.right.value[0];
    const b = L > 0 ? model.value[i] / L : 0;
    const a = R > 0 ? model.right.value[i] / R : 0;
    const rel = b > 0 ? `${a >= b ? '+' : ''}${formatPercent((100 * (a - b)) / b)}` : 'new';
    return {
      title: parts.fn,
      where,
      lines: [
        `Before: total ${fmt(model.value[i])} (${pct(model.value[i], L)}), self ${fmt(model.self[i])}`,
        `After: total ${fmt(model.right.value[i])} (${pct(model.right.value[i], R)}), self ${fmt(model.right.self[i])}`,
        `Change: ${a >= b ? '+' : ''}${(100 * (a - b)).toFixed(2)} pp of total (${rel})`,
      ],
    };
  }
  const root = model.value[0];
  return {
    title: parts.fn,
    where,
    lines: [`Total: ${fmt(model.value[i])} (${pct(model.value[i], root)})`, `Self: ${fmt(model.self[i])} (${pct(model.self[i], root)})`],
  };
}

export const Tooltip = memo(function Tooltip(props: { register: { current: ((t: TipTarget | null) => void) | null }; unit: string }) {
  const [tip, setTip] = useState<TipTarget | null>(null);
  useEffect(() => {
    props.register.current = setTip;
    return () => {
      props.register.current = null;
    };
  }, [props.register]);
  if (!tip) return null;
  const { hit } = tip;
  const { title, where, lines } = tooltipLines(tip.model, hit, props.unit);
  const name = hit.layout.kind[hit.frame] === COLLAPSED ? null : tip.model.names[tip.model.name[hit.layout.node[hit.frame]]];
  // Keep the box on screen: flip to the left / above near the viewport edges.
  const style = {
    left: hit.clientX + 360 > window.innerWidth ? Math.max(4, hit.clientX - 360) : hit.clientX + 12,
    top: hit.clientY + 140 > window.innerHeight ? Math.max(4, hit.clientY - 120) : hit.clientY + 14,
  };
  return (
    <div className={styles.tooltip} style={style} role="tooltip" data-testid="flame-tooltip">
      <div className={styles.tipName}>{title}</div>
      {where && <div className={styles.tipModule}>{where}</div>}
      {lines.map((l) => (
        <div key={l}>{l}</div>
      ))}
      {name !== null && name !== title && <div className={styles.tipRaw}>{name}</div>}
    </div>
  );
});
