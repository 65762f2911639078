// PromQL checked the way the Prometheus UI checks it: @prometheus-io/lezer-promql
// parses, and codemirror-promql's own Parser adds the type checks (a rate() of
// an instant vector, a binary op on a range vector…). The editor lints with the
// same function, so the browser and the server agree on what is valid and where.
import { ensureSyntaxTree, syntaxTreeAvailable } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
// The ESM build explicitly: the package's `main` is CommonJS, whose own copy of
// @codemirror/state would not recognise this state's extensions in Node.
import { LanguageType, promQLLanguage } from '@prometheus-io/codemirror-promql/dist/esm/index.js';
import { Parser } from '@prometheus-io/codemirror-promql/dist/esm/parser/index.js';

/** Sloth's range placeholder in SLI queries: `rate(x[{{.window}}])`. */
export const WINDOW_PLACEHOLDER_RE = /\{\{\s*\.window\s*\}\}/g;

export interface PromQLProblem {
  message: string;
  /** character offsets into the query */
  from: number;
  to: number;
  /** 1-based, for people */
  line: number;
  column: number;
}

export const MAX_PROMQL_LENGTH = 4000;

/**
 * The query with each `{{.window}}` replaced by a duration of the same length
 * (`5m` padded with spaces, which PromQL skips), so offsets of problems found in
 * the substituted text point at the same characters of the original.
 */
export function withSampleWindow(query: string): string {
  return query.replace(WINDOW_PLACEHOLDER_RE, (m) => '5m'.padEnd(m.length, ' '));
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/**
 * Problems in a PromQL query, first one first; [] when it is valid. With
 * `windowPlaceholder`, `{{.window}}` stands for a range duration; with
 * `instant`, the result must be an instant vector or a scalar (what a
 * recording rule or an SLI can use).
 */
export function checkPromQL(query: string, opts: { windowPlaceholder?: boolean; instant?: boolean } = {}): PromQLProblem[] {
  const problem = (message: string, from: number, to: number): PromQLProblem => ({ message, from, to, ...position(query, from) });
  if (!query.trim()) return [problem('the query is empty', 0, 0)];
  if (query.length > MAX_PROMQL_LENGTH) return [problem(`the query is ${query.length} characters long; at most ${MAX_PROMQL_LENGTH} are allowed`, 0, 0)];
  if (!opts.windowPlaceholder) {
    const m = WINDOW_PLACEHOLDER_RE.exec(query);
    WINDOW_PLACEHOLDER_RE.lastIndex = 0;
    if (m) return [problem('{{.window}} is only allowed in SLI queries', m.index, m.index + m[0].length)];
  }
  const doc = opts.windowPlaceholder ? withSampleWindow(query) : query;
  const initial = EditorState.create({ doc, extensions: [promQLLanguage(LanguageType.PromQL)] });
  // EditorState.create parses within a small time budget; on a busy machine the
  // tree can be partial. ensureSyntaxTree finishes it, and an empty transaction
  // makes the state hand that finished tree to the Parser (which reads syntaxTree(state)).
  const tree = ensureSyntaxTree(initial, doc.length, 5_000);
  const state = initial.update({}).state;
  if (!tree || !syntaxTreeAvailable(state, doc.length)) return [problem('the query could not be parsed in time', 0, 0)];
  const parser = new Parser(state);
  parser.analyze();
  const out = parser.getDiagnostics().map((d) => problem(d.message, d.from, d.to));
  if (opts.instant && !out.length) {
    // A second Parser only to read the top-level type (checkAST records diagnostics as it goes).
    const type = new Parser(state).checkAST(tree.topNode.firstChild);
    if (type === 'matrix' || type === 'string') out.push(problem(`the query returns a ${type === 'matrix' ? 'range vector' : 'string'}; it must return an instant vector or a scalar`, 0, doc.length));
  }
  // The editor's linter forgives an error node at the very end (the user is still
  // typing); a saved query must be complete, so every error node counts here.
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) {
      const at = cursor.from;
      const rest = doc.slice(at).trim();
      const message = rest ? `unexpected ${JSON.stringify(rest.slice(0, 20))}` : 'unexpected end of query (a bracket or an operand is missing)';
      if (!out.some((p) => p.from <= at && at <= p.to)) out.push(problem(message, at, Math.max(at, cursor.to)));
    }
  } while (cursor.next());
  return out.sort((a, b) => a.from - b.from);
}

/** "line 1, column 12: unexpected end of query" */
export function describeProblem(p: PromQLProblem): string {
  return `line ${p.line}, column ${p.column}: ${p.message}`;
}
