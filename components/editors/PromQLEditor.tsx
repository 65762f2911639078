'use client';

// The one PromQL input of the app: the official @prometheus-io/codemirror-promql
// (highlighting, function/metric/label completion, type-aware linting) on
// CodeMirror 6. Completion asks the server's /api/promql/* routes, which answer
// from the configured Prometheus (the browser never chooses a backend). Problems
// come from lib/promql/validate.ts, the same check the server runs before saving,
// shown inline (underline + tooltip) and as a line of text under the editor.
//
//   <PromQLEditor label="Good events" value={q} onChange={setQ} windowPlaceholder />

import { autocompletion, closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { linter, type Diagnostic } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { PromQLExtension } from '@prometheus-io/codemirror-promql/dist/esm/index.js';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { checkPromQL, describeProblem, type PromQLProblem } from '@/lib/promql/validate';
import { useQueryEditor } from './codemirror';

export interface PromQLEditorProps {
  /** Accessible name of the input, e.g. "Good events query". */
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Ctrl/Cmd+Enter. */
  onSubmit?: (value: string) => void;
  /** Allow Sloth's `{{.window}}` range placeholder (SLI queries). */
  windowPlaceholder?: boolean;
  /** The query must return an instant vector or a scalar (rules, SLIs). */
  instant?: boolean;
  /** An empty query is not a problem (Explore before anything is drawn); forms that need one leave this off. */
  optional?: boolean;
  /** A problem the server reported for this query (shown like a local one). */
  serverProblem?: string;
  /** Reports the local problems whenever the text changes (forms block saving on them). */
  onProblems?: (problems: PromQLProblem[]) => void;
  placeholder?: string;
  /** Completion from Prometheus metadata (default on). */
  autocomplete?: boolean;
  readOnly?: boolean;
  testId?: string;
  className?: string;
}

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--chart-3)' },
  { tag: [tags.function(tags.variableName), tags.function(tags.name)], color: 'var(--accent)' },
  { tag: tags.labelName, color: 'var(--chart-2)' },
  { tag: tags.string, color: 'var(--ok)' },
  { tag: tags.number, color: 'var(--chart-1)' },
  { tag: tags.operator, color: 'var(--fg)', fontWeight: '600' },
  { tag: tags.comment, color: 'var(--muted)', fontStyle: 'italic' },
  { tag: tags.invalid, color: 'var(--danger)' },
]);

// Completion and lint tooltips: the shared look (./codemirror) has no completion list.
const completionTheme = EditorView.theme({
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--accent-fg)' },
  '.cm-diagnostic-error': { borderLeft: '3px solid var(--danger)' },
  '.cm-completionDetail': { color: 'var(--muted)', marginLeft: '8px' },
});

export function PromQLEditor({
  label,
  value,
  onChange,
  onSubmit,
  windowPlaceholder = false,
  instant = false,
  optional = false,
  serverProblem,
  onProblems,
  placeholder,
  autocomplete = true,
  readOnly = false,
  testId,
  className = '',
}: PromQLEditorProps) {
  const problemId = useId();
  const [completionNote, setCompletionNote] = useState<string | null>(null);
  const problems = useMemo(() => (optional && !value.trim() ? [] : checkPromQL(value, { windowPlaceholder, instant })), [value, windowPlaceholder, instant, optional]);

  // Reported when the problems change, not when the callback's identity does.
  const report = useRef(onProblems);
  report.current = onProblems;
  useEffect(() => {
    report.current?.(problems);
  }, [problems]);

  const host = useQueryEditor(
    { label, describedBy: problemId, value, onChange, onSubmit, placeholder, readOnly },
    () => {
      const promql = new PromQLExtension()
        .activateCompletion(autocomplete)
        // Our own linter below runs the same check as the server.
        .activateLinter(false)
        .setComplete({
          remote: {
            url: '',
            apiPrefix: '/api/promql',
            // GET: the app's mutation guards (same-origin, JSON bodies) apply to POST.
            httpMethod: 'GET',
            lookbackInterval: 12 * 3_600_000,
            httpErrorHandler: (e: unknown) => setCompletionNote(e instanceof Error ? e.message : String(e)),
          },
        });
      const lint = linter((v): Diagnostic[] =>
        (optional && !v.state.doc.toString().trim() ? [] : checkPromQL(v.state.doc.toString(), { windowPlaceholder, instant })).map((p) => ({ from: p.from, to: Math.max(p.to, p.from), severity: 'error', message: p.message })),
      );
      return {
        extensions: [closeBrackets(), autocompletion(), promql.asExtension(), lint, syntaxHighlighting(highlight), completionTheme],
        keys: closeBracketsKeymap,
        destroy: () => promql.destroy(),
      };
    },
    [windowPlaceholder, instant, optional, autocomplete],
  );

  const shown = problems[0] ? describeProblem(problems[0]) : serverProblem;
  return (
    <div className={`flex min-w-0 flex-col gap-1 ${className}`} data-testid={testId}>
      <div ref={host} data-invalid={shown ? 'true' : undefined} className="min-w-0" />
      <p id={problemId} role={shown ? 'alert' : undefined} className={`min-h-4 text-xs ${shown ? 'text-danger' : 'text-muted'}`} data-testid={testId ? `${testId}-problem` : undefined}>
        {shown ?? (completionNote ? `Completion unavailable: ${completionNote}` : '')}
      </p>
    </div>
  );
}
