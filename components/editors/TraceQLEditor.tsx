'use client';

// The TraceQL input: CodeMirror 6 with Grafana's own TraceQL grammar
// (@grafana/lezer-traceql) for highlighting and syntax errors, the same
// grammar the embedded trace store parses queries with. Ctrl/Cmd+Enter runs.
//
//   <TraceQLEditor label="TraceQL" value={q} onChange={setQ} onSubmit={run} />

import { HighlightStyle, LRLanguage, LanguageSupport, syntaxHighlighting, syntaxTree } from '@codemirror/language';
import { linter, type Diagnostic } from '@codemirror/lint';
import type { EditorState } from '@codemirror/state';
import { parser } from '@grafana/lezer-traceql';
import { styleTags, tags } from '@lezer/highlight';
import { useId, useState } from 'react';
import { useQueryEditor } from './codemirror';

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

/** The grammar's error nodes as one message each (first 3). */
export function traceqlSyntaxProblems(state: EditorState): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Empty is not an error: the panel then runs its default query (the placeholder shows it).
  if (!state.doc.toString().trim()) return out;
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
  const problemId = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const host = useQueryEditor(
    { label, describedBy: problemId, value, onChange, onSubmit, placeholder },
    () => ({
      extensions: [
        traceqlLanguageSupport(),
        syntaxHighlighting(highlight),
        linter(
          (v) => {
            const p = traceqlSyntaxProblems(v.state);
            setProblem(p[0]?.message ?? null);
            return p;
          },
          { delay: 300 },
        ),
      ],
    }),
    [],
  );

  return (
    <div className={`flex min-w-0 flex-col gap-1 ${className}`} data-testid={testId}>
      <div ref={host} className="min-w-0" />
      <p id={problemId} role={problem ? 'alert' : undefined} className={`min-h-4 text-xs ${problem ? 'text-danger' : 'text-muted'}`}>
        {problem ?? ''}
      </p>
    </div>
  );
}
