'use client';

import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { formatDurationMs, layoutTrace, timeTicks, visibleRows, type WaterfallRow } from '@/lib/model/trace-layout';
import type { AttrValue, Attributes, Span, Trace } from '@/lib/model/types';
import { WITHHELD } from '@/lib/redaction/sensitivity';

export interface TraceWaterfallProps {
  trace: Trace;
  /** Highlighted span (e.g. from the URL). */
  selectedSpanId?: string | null;
  /** A span was chosen (click or Enter on its name). */
  onSpanSelect?: (spanId: string) => void;
  /** Rows drawn at most; the rest is summarised (huge traces would freeze the page). */
  maxRows?: number;
}

const NAME_COL = 'minmax(14rem, 38%)';

/** Attribute values as plain text (never HTML): strings as-is, the rest as JSON. */
function valueText(v: AttrValue): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function AttributeList({ title, attrs }: { title: string; attrs: Attributes }) {
  const keys = Object.keys(attrs).sort();
  if (!keys.length) return null;
  return (
    <div>
      <p className="mb-1 font-semibold text-muted">{title}</p>
      <dl className="grid grid-cols-[minmax(8rem,auto)_1fr] gap-x-3 gap-y-0.5">
        {keys.map((k) => (
          <div key={k} className="contents">
            <dt className="break-all font-mono text-muted">{k}</dt>
            {attrs[k] === WITHHELD ? (
              <dd className="italic text-muted" title="Marked sensitive by the service that sent it: only admins see the value">
                withheld (admins only)
              </dd>
            ) : (
              <dd className="break-all font-mono">{valueText(attrs[k])}</dd>
            )}
          </div>
        ))}
      </dl>
    </div>
  );
}

function SpanDetails({ span, traceStart }: { span: Span; traceStart: bigint }) {
  return (
    <div className="flex flex-col gap-3 border-l-2 border-accent/50 bg-panel-2/60 px-3 py-2 text-xs" data-testid="span-details">
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5">
        <dt className="text-muted">span id</dt>
        <dd className="font-mono">{span.spanId}</dd>
        {span.parentSpanId && (
          <>
            <dt className="text-muted">parent</dt>
            <dd className="font-mono">{span.parentSpanId}</dd>
          </>
        )}
        <dt className="text-muted">kind</dt>
        <dd>{span.kind}</dd>
        <dt className="text-muted">status</dt>
        <dd className={span.status === 'error' ? 'text-danger' : ''}>
          {span.status}
          {span.statusMessage ? `: ${span.statusMessage}` : ''}
        </dd>
      </dl>
      <AttributeList title="Attributes" attrs={span.attributes} />
      {span.events.length > 0 && (
        <div>
          <p className="mb-1 font-semibold text-muted">Events</p>
          <ul className="flex flex-col gap-1">
            {span.events.map((ev, i) => (
// biome-ignore lint/suspicious/noArrayIndexKey: a span's events have no identity and never reorder
              <li key={i}>
                <span className="font-mono text-muted">+{formatDurationMs(Number(ev.timeUnixNano - traceStart) / 1e6)}</span> <span className="font-medium">{ev.name}</span>
                {Object.keys(ev.attributes).length > 0 && (
                  <div className="ml-4 mt-0.5">
                    <AttributeList title="" attrs={ev.attributes} />
                  </div>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {span.links.length > 0 && (
        <div>
          <p className="mb-1 font-semibold text-muted">Links</p>
          <ul>
            {span.links.map((l, i) => (
// biome-ignore lint/suspicious/noArrayIndexKey: a span's links have no identity and never reorder
              <li key={i} className="font-mono">
                {l.traceId} / {l.spanId}
              </li>
            ))}
          </ul>
        </div>
      )}
      <AttributeList title="Resource" attrs={span.resourceAttributes} />
    </div>
  );
}

/**
 * A trace as a waterfall: the span tree (indented, collapsible), each span's
 * bar on the trace's shared time axis, and its attributes and events on demand.
 * Everything from telemetry is rendered as text.
 */
export function TraceWaterfall({ trace, selectedSpanId, onSpanSelect, maxRows = 3000 }: TraceWaterfallProps) {
  const layout = useMemo(() => layoutTrace(trace), [trace]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const listRef = useRef<HTMLDivElement>(null);
  const rows = useMemo(() => visibleRows(layout.rows, collapsed), [layout, collapsed]);
  const shown = rows.slice(0, maxRows);
  const ticks = useMemo(() => timeTicks(layout.durationMs), [layout.durationMs]);

  if (!layout.rows.length) {
    return <p className="rounded-md border border-dashed border-line p-4 text-sm text-muted">This trace has no spans.</p>;
  }

  const toggle = (set: ReadonlySet<string>, id: string) => {
    const next = new Set(set);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  };

  // Up/Down move between span names, like a tree view; Tab still walks every control.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const buttons = [...(listRef.current?.querySelectorAll<HTMLButtonElement>('button[data-span-button]') ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    e.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))]?.focus();
  };

  const services = new Set(layout.rows.map((r) => r.span.service));
  const errors = layout.rows.filter((r) => r.span.status === 'error').length;

  return (
    <div className="flex flex-col gap-2 text-sm" data-testid="trace-waterfall">
      <p className="text-xs text-muted">
        <span className="font-mono">{trace.traceId}</span> · {layout.rows.length} spans · {services.size} service{services.size === 1 ? '' : 's'} ·{' '}
        {formatDurationMs(layout.durationMs)}
        {errors > 0 && <span className="text-danger"> · {errors} with errors</span>}
        {trace.partial && <span className="text-warn"> · partial trace (the backend cut it short)</span>}
      </p>
      <div className="grid border-b border-line pb-1 text-[11px] text-muted" style={{ gridTemplateColumns: `${NAME_COL} 1fr` }} aria-hidden="true">
        <span>Span</span>
        <div className="relative h-4">
          {ticks.map((t) => {
            const left = layout.durationMs > 0 ? (t / layout.durationMs) * 100 : 0;
            return (
              <span key={t} className="absolute -translate-x-1/2 tabular-nums" style={{ left: `${Math.min(left, 97)}%` }}>
                {formatDurationMs(t)}
              </span>
            );
          })}
        </div>
      </div>
{/* biome-ignore lint/a11y/useSemanticElements: rows are CSS grids with nested bars; role=list keeps ul/li semantics without list styling */}
      <div ref={listRef} role="list" aria-label={`Spans of trace ${trace.traceId}`} onKeyDown={onKeyDown} className="flex flex-col">
        {shown.map((r) => (
          <WaterfallRowView
            key={r.span.spanId}
            row={r}
            selected={r.span.spanId === selectedSpanId}
            collapsed={collapsed.has(r.span.spanId)}
            expanded={expanded.has(r.span.spanId)}
            traceStart={layout.startUnixNano}
            onToggleCollapse={() => setCollapsed((s) => toggle(s, r.span.spanId))}
            onToggleDetails={() => setExpanded((s) => toggle(s, r.span.spanId))}
            onSelect={() => onSpanSelect?.(r.span.spanId)}
          />
        ))}
      </div>
      {rows.length > shown.length && (
        <p className="text-xs text-warn">
          Showing the first {shown.length} of {rows.length} spans; collapse subtrees to see the rest.
        </p>
      )}
    </div>
  );
}

function WaterfallRowView(props: {
  row: WaterfallRow;
  selected: boolean;
  collapsed: boolean;
  expanded: boolean;
  traceStart: bigint;
  onToggleCollapse: () => void;
  onToggleDetails: () => void;
  onSelect: () => void;
}) {
  const { row: r, selected, collapsed, expanded } = props;
  const s = r.span;
  const isError = s.status === 'error';
  const detailsId = `span-details-${s.spanId}`;
  // Duration text goes inside wide bars, else beside the bar on whichever side has room.
  const labelInside = r.width > 0.3;
  return (
// biome-ignore lint/a11y/useSemanticElements: see the list above
    <div role="listitem" data-span-id={s.spanId} data-selected={selected || undefined} className={`border-b border-line/60 ${selected ? 'bg-accent/10' : ''}`}>
      <div className="grid items-center" style={{ gridTemplateColumns: `${NAME_COL} 1fr` }}>
        <div className="flex min-w-0 items-center gap-1 py-0.5 pr-2" style={{ paddingLeft: `${Math.min(r.depth, 24) * 12}px` }}>
          {r.childCount > 0 ? (
            <button
              type="button"
              onClick={props.onToggleCollapse}
              aria-expanded={!collapsed}
              aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${r.childCount} child span${r.childCount === 1 ? '' : 's'} of ${s.name}`}
              className="h-5 w-5 shrink-0 rounded text-xs text-muted hover:bg-panel-2"
            >
              {collapsed ? '▸' : '▾'}
            </button>
          ) : (
            <span className="w-5 shrink-0" aria-hidden="true" />
          )}
          <button
            type="button"
            data-span-button
            onClick={props.onSelect}
            aria-pressed={selected}
            title={`${s.service}: ${s.name}`}
            className={`min-w-0 flex-1 truncate rounded px-1 text-left hover:bg-panel-2 ${selected ? 'font-semibold' : ''} ${isError ? 'text-danger' : ''}`}
          >
            <span className="text-muted">{s.service}</span> {s.name}
            {r.orphan && <span className="text-warn"> (parent missing)</span>}
          </button>
          <button
            type="button"
            onClick={props.onToggleDetails}
            aria-expanded={expanded}
            aria-controls={detailsId}
            aria-label={`${expanded ? 'Hide' : 'Show'} attributes and events of ${s.name}`}
            className="shrink-0 rounded px-1 text-xs text-muted hover:bg-panel-2 hover:text-fg"
          >
            {expanded ? 'less' : 'more'}
          </button>
        </div>
        <div className="relative h-6" aria-hidden="true">
          <div
            // The selection colour wins; a failed span that is selected keeps a red outline.
            className={`absolute top-1.5 h-3 rounded-sm ${selected ? 'bg-[var(--chart-selected)]' : isError ? 'bg-danger' : 'bg-[var(--chart-1)]'} ${selected && isError ? 'ring-2 ring-danger' : ''}`}
            data-bar={selected ? 'selected' : isError ? 'error' : 'span'}
            style={{ left: `${r.left * 100}%`, width: `max(2px, ${r.width * 100}%)` }}
          />
          <span
            className={`absolute top-1 whitespace-nowrap text-[11px] leading-4 tabular-nums ${labelInside ? 'font-medium text-white' : 'text-muted'}`}
            style={
              labelInside
                ? { left: `calc(${r.left * 100}% + 4px)` }
                : r.left + r.width > 0.8
                  ? { right: `calc(${(1 - r.left) * 100}% + 4px)` }
                  : { left: `calc(${(r.left + r.width) * 100}% + 4px)` }
            }
          >
            {formatDurationMs(r.durationMs)}
          </span>
        </div>
      </div>
      <span className="sr-only">
        starts at {formatDurationMs(r.offsetMs)}, takes {formatDurationMs(r.durationMs)}
        {isError ? ', failed' : ''}
      </span>
      {expanded && (
        <div id={detailsId} className="pb-2" style={{ paddingLeft: `${Math.min(r.depth, 24) * 12 + 24}px` }}>
          <SpanDetails span={s} traceStart={props.traceStart} />
        </div>
      )}
    </div>
  );
}
