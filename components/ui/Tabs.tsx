'use client';

import { useId, useRef, type KeyboardEvent } from 'react';

export interface TabItem<K extends string> {
  key: K;
  label: string;
}

export interface TabsProps<K extends string> {
  /** Accessible name of the tab list, e.g. "Latency metric". */
  label: string;
  items: readonly TabItem<K>[];
  value: K;
  onChange: (key: K) => void;
  /** id prefix for tab/panel wiring; pass it to the panel as `aria-labelledby={`${idBase}-tab-${value}`}` */
  idBase?: string;
}

/**
 * A WAI-ARIA tab list (arrow keys move between tabs, Home/End jump). It renders
 * the tabs only: the parent renders the selected content, so the value can live
 * in the URL (controlled component).
 */
export function Tabs<K extends string>({ label, items, value, onChange, idBase }: TabsProps<K>) {
  const autoId = useId();
  const base = idBase ?? autoId;
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = items.findIndex((t) => t.key === value);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % items.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + items.length) % items.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = items.length - 1;
    if (next < 0) return;
    e.preventDefault();
    onChange(items[next].key);
    refs.current[next]?.focus();
  };
  return (
    <div role="tablist" aria-label={label} onKeyDown={onKeyDown} className="inline-flex gap-1 rounded-md border border-line bg-panel-2 p-0.5">
      {items.map((t, i) => {
        const selected = t.key === value;
        return (
          <button
            key={t.key}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${t.key}`}
            aria-selected={selected}
            tabIndex={selected ? 0 : -1}
            onClick={() => onChange(t.key)}
            className={`rounded px-2.5 py-1 text-xs font-medium ${selected ? 'bg-panel text-fg shadow-sm' : 'text-muted hover:text-fg'}`}
          >
            {t.label}
          </button>
        );
      })}
    </div>
  );
}
