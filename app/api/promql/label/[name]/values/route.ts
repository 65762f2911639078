import { complete, completionError, completionParams, LabelName } from '@/lib/promql/autocomplete';

/** GET /api/promql/label/:name/values: values of one label (metric names for __name__), from the configured Prometheus. */
export async function GET(req: Request, ctx: { params: Promise<{ name: string }> }) {
  const name = LabelName.safeParse((await ctx.params).name);
  if (!name.success) return completionError(400, 'bad_data', name.error.issues[0].message);
  const p = completionParams(req.url);
  if (!p.success) return completionError(400, 'bad_data', p.error.issues.map((i) => i.message).join('; '));
  return complete((c) => c.labelValues(name.data, { match: p.data.match.length ? p.data.match : undefined, range: p.data.range, signal: req.signal }));
}
