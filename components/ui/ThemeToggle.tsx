'use client';

import { useFollowSystemTheme, useTheme } from './theme';

export function ThemeToggle() {
  const { theme, setTheme } = useTheme();
  useFollowSystemTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      onClick={() => setTheme(next)}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      data-testid="theme-toggle"
      className="inline-flex h-8 items-center gap-1 rounded-md border border-line bg-panel px-2 text-sm text-fg hover:bg-panel-2"
    >
      <span aria-hidden="true">{theme === 'dark' ? '☾' : '☀'}</span>
      <span className="hidden sm:inline">{theme === 'dark' ? 'Dark' : 'Light'}</span>
    </button>
  );
}
