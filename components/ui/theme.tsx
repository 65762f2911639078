'use client';

import { useEffect, useSyncExternalStore } from 'react';

// The theme lives on <html> as a `dark` class plus data-theme (set before
// first paint by public/theme-init.js). This module reads and changes it;
// charts subscribe with useTheme() to redraw with the new colours.

export type Theme = 'light' | 'dark';
export const THEME_STORAGE_KEY = 'trisight-theme';

function current(): Theme {
  return document.documentElement.classList.contains('dark') ? 'dark' : 'light';
}

function subscribe(onChange: () => void): () => void {
  const obs = new MutationObserver(onChange);
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'data-theme'] });
  return () => obs.disconnect();
}

function apply(theme: Theme) {
  document.documentElement.classList.toggle('dark', theme === 'dark');
  document.documentElement.dataset.theme = theme;
}

function stored(): Theme | null {
  try {
    const v = localStorage.getItem(THEME_STORAGE_KEY);
    return v === 'dark' || v === 'light' ? v : null;
  } catch {
    return null; // storage disabled: the OS preference still applies
  }
}

/** The active theme; re-renders when it changes. The server renders 'light'. */
export function useTheme(): { theme: Theme; setTheme: (t: Theme) => void } {
  const theme = useSyncExternalStore(subscribe, current, () => 'light' as Theme);
  const setTheme = (t: Theme) => {
    apply(t);
    try {
      localStorage.setItem(THEME_STORAGE_KEY, t);
    } catch {}
  };
  return { theme, setTheme };
}

/** Follows the OS setting live while the user has not chosen a theme. */
export function useFollowSystemTheme(): void {
  useEffect(() => {
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
    if (!mq) return;
    const onChange = () => {
      if (!stored()) apply(mq.matches ? 'dark' : 'light');
    };
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
}

/** Reads a CSS colour variable (e.g. '--chart-1') for canvas renderers such as ECharts. */
export function cssVar(name: string, fallback = '#888'): string {
  if (typeof document === 'undefined') return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}
