'use client';

// The TraceQL input: CodeMirror 6 with Grafana's own TraceQL grammar
// (@grafana/lezer-traceql) for highlighting and syntax errors, the same
// grammar the embedded trace store parses queries with. Ctrl/Cmd+Enter runs.
//
//   <TraceQLEditor label="TraceQL" value={q} onChange={setQ} onSubmit={run} />

import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { HighlightStyle, LRLanguage, LanguageSupport, syntaxHighlighting, syntaxTree } from '@codemirror/language';
import { linter, type Diagnostic } from '@codemirror/lint';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view';
import { parser } from '@grafana/lezer-traceql';
import { styleTags, tags } from '@lezer/highlight';
import { useEffect, useId, useRef, useState } from 'react';

const traceqlLanguage = LRLanguage.define({
  name: 'traceql',
  parser: parser.configure({
    props: [
      styleTags({
        String: tags.string,
        'Integer Float Duration': tags.number,
        Static: tags.atom,
        IntrinsicField: tags.keyword,
        'Resource Span Event Link Instrumentation Parent': tags.namespace,
        Identifier: tags.propertyName,
        'FieldOp ComparisonOp': tags.compareOperator,
        'And Or': tags.logicOperator,
        'Pipe Gt Lt Desc Anc ExperimentalOp UnionStructuralOp': tags.operator,
        'Aggregate MetricsOperationBasicType MetricsOverTimeType MetricsAggregatorFunctionType': tags.function(tags.variableName),
        'LineComment BlockComment': tags.comment,
      }),
    ],
  }),
  languageData: { commentTokens: { line: '//' }, closeBrackets: { brackets: ['(', '{', '"', '`'] } },
});

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--chart-3)' },
  { tag: tags.namespace, color: 'var(--chart-3)' },
  { tag: tags.propertyName, color: 'var(--chart-2)' },
  { tag: tags.string, color: 'var(--ok)' },
  { tag: tags.number, color: 'var(--chart-1)' },
  { tag: tags.atom, color: 'var(--chart-1)' },
  { tag: [tags.compareOperator, tags.logicOperator, tags.operator], color: 'var(--fg)', fontWeight: '600' },
  { tag: tags.function(tags.variableName), color: 'var(--accent)' },
  { tag: tags.comment, color: 'var(--muted)', fontStyle: 'italic' },
]);

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--line)', borderRadius: '6px', fontSize: '13px' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '1px' },
  '.cm-content': { fontFamily: 'var(--font-mono)', padding: '6px 0', caretColor: 'var(--fg)' },
  '.cm-line': { padding: '0 8px' },
  '.cm-placeholder': { color: 'var(--muted)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--line)' },
});

/** The grammar's error nodes as one message each (first 3). */
export function traceqlSyntaxProblems(state: EditorState): Diagnostic[] {
  const out: Diagnostic[] = [];
  syntaxTree(state).iterate({
    enter: (n) => {
      if (out.length < 3 && n.type.isError) {
        const at = state.doc.sliceString(n.from, n.from + 16);
        out.push({ from: n.from, to: Math.max(n.to, n.from), severity: 'error', message: `TraceQL syntax error at ${n.from + 1}${at ? `: “${at}”` : ' (the query ends too early)'}` });
      }
    },
  });
  return out;
}

export function traceqlLanguageSupport(): LanguageSupport {
  return new LanguageSupport(traceqlLanguage);
}

export interface TraceQLEditorProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Ctrl/Cmd+Enter. */
  onSubmit?: (value: string) => void;
  placeholder?: string;
  testId?: string;
  className?: string;
}

export function TraceQLEditor({ label, value, onChange, onSubmit, placeholder, testId, className = '' }: TraceQLEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const problemId = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const latest = useRef({ value, onChange, onSubmit });
  latest.current = { value, onChange, onSubmit };

  useEffect(() => {
    if (!host.current) return;
    const extensions: Extension[] = [
      history(),
      traceqlLanguageSupport(),
      syntaxHighlighting(highlight),
      linter((v) => {
        const p = traceqlSyntaxProblems(v.state);
        setProblem(p[0]?.message ?? null);
        return p;
      }, { delay: 300 }),
      theme,
      EditorView.lineWrapping,
      keymap.of([
        {
          key: 'Mod-Enter',
          run: (v) => {
            latest.current.onSubmit?.(v.state.doc.toString());
            return !!latest.current.onSubmit;
          },
        },
        ...defaultKeymap,
        ...historyKeymap,
      ]),
      EditorView.contentAttributes.of({ 'aria-label': label, 'aria-describedby': problemId, 'aria-multiline': 'true' }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) latest.current.onChange(u.state.doc.toString());
      }),
    ];
    if (placeholder) extensions.push(placeholderExt(placeholder));
    const v = new EditorView({ parent: host.current, state: EditorState.create({ doc: latest.current.value, extensions }) });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, [label, placeholder, problemId]);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  return (
    <div className={`flex min-w-0 flex-col gap-1 ${className}`} data-testid={testId}>
      <div ref={host} className="min-w-0" />
      <p id={problemId} role={problem ? 'alert' : undefined} className={`min-h-4 text-xs ${problem ? 'text-danger' : 'text-muted'}`}>
        {problem ?? ''}
      </p>
    </div>
  );
}
