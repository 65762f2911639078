// TraceQL the Explore page writes for the user, checked with Grafana's grammar
// (@grafana/lezer-traceql). Pure.
import { parser } from '@grafana/lezer-traceql';
import { traceqlDuration } from '@/lib/correlate';

/**
 * The body of a query that is one span set `{ … }` (no pipeline, no
 * structural operator), or null. `{}` gives ''.
 */
export function singleSpansetBody(q: string): string | null {
  const text = q.trim() || '{}';
  const tree = parser.parse(text);
  let broken = false;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) broken = true;
    },
  });
  if (broken) return null;
  const top = tree.topNode.firstChild;
  const pipeline = top?.name === 'SpansetPipelineExpression' && !top.nextSibling ? top.firstChild : null;
  const filter = pipeline?.name === 'SpansetPipeline' && !pipeline.nextSibling ? pipeline.firstChild : null;
  if (filter?.name !== 'SpansetFilter' || filter.nextSibling) return null;
  return text.slice(filter.from, filter.to).trim().replace(/^\{/, '').replace(/\}$/, '').trim();
}

/**
 * The query narrowed to spans whose duration is in (lower, upper] seconds —
 * how a heatmap cell or a histogram bucket becomes a trace search. Null when
 * the query is not one span set (then it cannot be narrowed by text).
 */
export function withDurationBand(q: string, band: { lower: number; upper: number }): string | null {
  const body = singleSpansetBody(q);
  if (body === null) return null;
  const conds: string[] = [];
  // Parenthesised whole: the band must hold for every alternative of an `||`.
  if (body) conds.push(`(${body})`);
  if (band.lower > 0) conds.push(`duration > ${traceqlDuration(band.lower)}`);
  if (Number.isFinite(band.upper)) conds.push(`duration <= ${traceqlDuration(band.upper)}`);
  return conds.length ? `{ ${conds.join(' && ')} }` : '{}';
}
