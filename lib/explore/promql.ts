// Reading PromQL the user typed, with Prometheus's own grammar
// (@prometheus-io/lezer-promql): which histogram a heatmap should draw. Pure.
import { parser } from '@prometheus-io/lezer-promql';

export class PromQLShapeError extends Error {}

export interface HistogramSelector {
  /** base name: `_bucket`, `_count`, `_sum` suffixes dropped */
  metric: string;
  /** the label matchers as typed, `{…}` or '' */
  matchers: string;
}

/**
 * `http_server_duration_seconds{job="api"}` (or its `_bucket` series) → the
 * histogram it names. Anything but one plain series selector is refused: a
 * heatmap needs the buckets themselves, not an expression over them.
 */
export function parseHistogramSelector(text: string): HistogramSelector {
  const q = text.trim();
  const tree = parser.parse(q);
  let error = -1;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && error < 0) error = n.from;
    },
  });
  if (error >= 0) throw new PromQLShapeError(`PromQL syntax error at position ${error + 1}: ${JSON.stringify(q.slice(error, error + 24))}`);
  const top = tree.topNode.firstChild;
  if (!top || top.nextSibling || top.name !== 'VectorSelector') {
    throw new PromQLShapeError('a heatmap draws one histogram: give its series selector, e.g. http_request_duration_seconds{job="api"}, not an expression');
  }
  const ident = top.getChild('Identifier');
  if (!ident) throw new PromQLShapeError('a heatmap needs the histogram’s metric name before the {…}');
  const matchersNode = top.getChild('LabelMatchers');
  const name = q.slice(ident.from, ident.to);
  return { metric: name.replace(/_(bucket|count|sum)$/, ''), matchers: matchersNode ? q.slice(matchersNode.from, matchersNode.to) : '' };
}
