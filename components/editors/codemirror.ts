'use client';

// What the query editors (PromQL, TraceQL) share: one CodeMirror 6 view per
// input with the app's look, undo history, Ctrl/Cmd+Enter to run, an
// accessible name and a described-by line for problems, and the text kept in
// step with React's value both ways. Each editor adds only its language
// (grammar, highlighting, linting, completion).

import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, type KeyBinding, keymap, placeholder as placeholderExt } from '@codemirror/view';
import { type DependencyList, type RefObject, useEffect, useRef } from 'react';

/** The editors' look, from the app's CSS variables (so it follows the theme). */
export const editorTheme = EditorView.theme({
  '&': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--line)', borderRadius: '6px', fontSize: '13px' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '1px' },
  '.cm-content': { fontFamily: 'var(--font-mono)', padding: '6px 0', caretColor: 'var(--fg)' },
  '.cm-line': { padding: '0 8px' },
  '.cm-placeholder': { color: 'var(--muted)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--line)' },
});

export interface QueryEditorOptions {
  /** Accessible name of the input. */
  label: string;
  /** Id of the element that says what is wrong with the query. */
  describedBy: string;
  value: string;
  onChange: (value: string) => void;
  /** Ctrl/Cmd+Enter. */
  onSubmit?: (value: string) => void;
  placeholder?: string;
  readOnly?: boolean;
}

/** A language's part of an editor; `keys` come before the default key bindings, `destroy` runs when the view goes. */
export interface QueryLanguage {
  extensions: Extension[];
  keys?: readonly KeyBinding[];
  destroy?: () => void;
}

/**
 * Mounts a query editor in the returned element. The view is rebuilt (with the
 * text it has) when the label, placeholder or read-only state change, or any of
 * `deps` (what `language` reads); a value set from outside replaces the text.
 */
export function useQueryEditor(opts: QueryEditorOptions, language: () => QueryLanguage, deps: DependencyList): RefObject<HTMLDivElement | null> {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // Callbacks change identity on every render; the editor reads the latest through refs.
  const latest = useRef({ value: opts.value, onChange: opts.onChange, onSubmit: opts.onSubmit, language });
  latest.current = { value: opts.value, onChange: opts.onChange, onSubmit: opts.onSubmit, language };
  const { label, describedBy, placeholder, readOnly = false } = opts;

  // `deps`: what the caller's language() reads (called through `latest`, so its identity does not count).
  useEffect(() => {
    if (!host.current) return;
    const lang = latest.current.language();
    const extensions: Extension[] = [
      history(),
      ...lang.extensions,
      editorTheme,
      EditorView.lineWrapping,
      keymap.of([
        {
          key: 'Mod-Enter',
          run: (v) => {
            latest.current.onSubmit?.(v.state.doc.toString());
            return !!latest.current.onSubmit;
          },
        },
        ...(lang.keys ?? []),
        ...defaultKeymap,
        ...historyKeymap,
      ]),
      EditorView.contentAttributes.of({ 'aria-label': label, 'aria-describedby': describedBy, 'aria-multiline': 'true' }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) latest.current.onChange(u.state.doc.toString());
      }),
      EditorState.readOnly.of(readOnly),
    ];
    if (placeholder) extensions.push(placeholderExt(placeholder));
    // Rebuilt with the text it has now; later outside changes are synced below.
    const v = new EditorView({ parent: host.current, state: EditorState.create({ doc: latest.current.value, extensions }) });
    view.current = v;
    return () => {
      lang.destroy?.();
      v.destroy();
      view.current = null;
    };
  }, [label, describedBy, placeholder, readOnly, ...deps]);

  // A value set from outside (a template, a restore) replaces the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== opts.value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: opts.value } });
  }, [opts.value]);

  return host;
}
