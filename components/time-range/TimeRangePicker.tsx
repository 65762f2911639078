'use client';

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/Button';
import { describeTimeRange, isRelative, parseTimeExpression, resolveTimeRange, RELATIVE_PRESETS, type RawTimeRange } from '@/lib/time-range';
import { LIVE_INTERVAL_MS, useTimeRange } from './useTimeRange';

/** How an end of the range is shown in the text box: expressions as typed, instants as ISO UTC. */
function editable(expr: string): string {
  if (isRelative(expr)) return expr;
  const r = parseTimeExpression(expr, Date.now());
  return r.ok ? new Date(r.value).toISOString().replace('.000Z', 'Z') : expr;
}

/** Absolute instants go to the URL as unix ms; relative expressions as typed. */
function canonical(expr: string): string {
  const s = expr.trim();
  if (isRelative(s)) return s.replace(/\s+/g, '');
  const r = parseTimeExpression(s, Date.now());
  return r.ok ? String(r.value) : s;
}

/**
 * The global time-range control: quick relative ranges, and from/to boxes that
 * take `now-2h`-style expressions or absolute ISO 8601 times (UTC). The choice
 * is written to the URL (?from=…&to=…), so every view is a link.
 */
export function TimeRangePicker() {
  const { raw, error, setTimeRange, refresh, live, setLive } = useTimeRange();
  // Live: a relative range follows now. An absolute range cannot, so live is off for it.
  const canLive = isRelative(raw.to) && raw.to.trim() === 'now';
  useEffect(() => {
    if (!live || !canLive) return;
    const t = setInterval(refresh, LIVE_INTERVAL_MS);
    return () => clearInterval(t);
  }, [live, canLive, refresh]);
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState(raw.from);
  const [to, setTo] = useState(raw.to);
  const [formError, setFormError] = useState<string | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    setFrom(editable(raw.from));
    setTo(editable(raw.to));
    setFormError(null);
    const onDown = (e: MouseEvent) => {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open, raw.from, raw.to]);

  const close = () => {
    setOpen(false);
    triggerRef.current?.focus();
  };
  const choose = (next: RawTimeRange) => {
    setTimeRange(next);
    close();
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const next = { from: canonical(from), to: canonical(to) };
    const r = resolveTimeRange(next, Date.now());
    if (!r.ok) {
      setFormError(r.error);
      return;
    }
    choose(next);
  };

  const label = describeTimeRange(raw, Date.now());
  return (
// biome-ignore lint/a11y/noStaticElementInteractions: Escape anywhere inside the picker (button or popover) closes it; the controls themselves are buttons and inputs
    <div
      ref={rootRef}
      className="relative flex items-center gap-1"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          close();
        }
      }}
    >
      <button
        ref={triggerRef}
        type="button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={`${id}-dialog`}
        data-testid="time-range-trigger"
        onClick={() => setOpen((o) => !o)}
        className="inline-flex h-8 max-w-[22rem] items-center gap-2 rounded-md border border-line bg-panel px-2 text-sm hover:bg-panel-2"
      >
        <svg aria-hidden="true" viewBox="0 0 16 16" className="h-4 w-4 shrink-0 text-muted" fill="none" stroke="currentColor" strokeWidth="1.5">
          <circle cx="8" cy="8" r="6.25" />
          <path d="M8 4.5V8l2.5 1.5" strokeLinecap="round" />
        </svg>
        <span className="truncate">
          <span className="sr-only">Time range: </span>
          {label}
        </span>
      </button>
      <Button size="md" onClick={refresh} aria-label="Refresh time range" title="Move the range to now">
        ↻
      </Button>
      <Button
        size="md"
        variant={live && canLive ? 'primary' : 'secondary'}
        aria-pressed={live && canLive}
        disabled={!canLive}
        onClick={() => setLive(!live)}
        title={canLive ? `Follow now: move the range every ${LIVE_INTERVAL_MS / 1000} s` : 'Live needs a range that ends at now'}
        data-testid="time-range-live"
      >
        {live && canLive ? '● Live' : 'Live'}
      </Button>
      {error && (
        <span role="status" className="text-xs text-warn" title={error}>
          Range in link ignored
        </span>
      )}
      {open && (
        <div
          id={`${id}-dialog`}
          role="dialog"
          aria-label="Choose time range"
          className="absolute right-0 top-10 z-50 flex w-[min(34rem,calc(100vw-2rem))] flex-col gap-4 rounded-lg border border-line bg-panel p-4 shadow-xl sm:flex-row"
        >
          <form onSubmit={apply} className="flex flex-1 flex-col gap-2" aria-describedby={`${id}-hint`}>
            <p className="text-xs font-semibold uppercase tracking-wide text-muted">Custom range</p>
            <label className="flex flex-col gap-1 text-sm">
              From
              <input
// biome-ignore lint/a11y/noAutofocus: the custom-range form opens on request; focus goes to its first field, as in a dialog
                autoFocus
                name="from"
                value={from}
                onChange={(e) => setFrom(e.target.value)}
                className="h-8 rounded-md border border-line bg-bg px-2 font-mono text-sm"
                spellCheck={false}
              />
            </label>
            <label className="flex flex-col gap-1 text-sm">
              To
              <input
                name="to"
                value={to}
                onChange={(e) => setTo(e.target.value)}
                className="h-8 rounded-md border border-line bg-bg px-2 font-mono text-sm"
                spellCheck={false}
              />
            </label>
            <p id={`${id}-hint`} className="text-xs text-muted">
              <code>now-2h</code>, <code>now</code>, or an absolute time like <code>2026-11-22T05:00:00Z</code> (UTC).
            </p>
            {formError && (
              <p role="alert" className="text-xs text-danger">
                {formError}
              </p>
            )}
            <div>
              <Button type="submit" variant="primary">
                Apply range
              </Button>
            </div>
          </form>
          <div className="flex flex-col gap-1 sm:w-44">
            <p className="text-xs font-semibold uppercase tracking-wide text-muted">Quick ranges</p>
            <ul className="flex flex-col">
              {RELATIVE_PRESETS.map((p) => {
                const active = raw.from === p.from && raw.to === 'now';
                return (
                  <li key={p.from}>
                    <button
                      type="button"
                      aria-current={active ? 'true' : undefined}
                      onClick={() => choose({ from: p.from, to: 'now' })}
                      className={`w-full rounded px-2 py-1 text-left text-sm hover:bg-panel-2 ${active ? 'font-semibold text-accent' : ''}`}
                    >
                      {p.label}
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
        </div>
      )}
    </div>
  );
}
