// OpenSLO export as a response: multi-document YAML (default) or a JSON array.
import YAML from 'yaml';
import { ApiError } from '@/lib/api-errors';
import type { SloDefinition } from './model';
import { toOpenSLO } from './openslo';

export function openSloResponse(defs: readonly SloDefinition[], url: string, filename: string): Response {
  const q = new URL(url).searchParams;
  const format = q.get('format') ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') throw new ApiError(400, `format: yaml or json, not ${JSON.stringify(format)}`);
  const docs = toOpenSLO(defs);
  const body = format === 'json' ? `${JSON.stringify(docs, null, 2)}\n` : docs.map((d) => YAML.stringify(d, { lineWidth: 0 })).join('---\n');
  const headers: Record<string, string> = { 'content-type': format === 'json' ? 'application/json' : 'application/yaml; charset=utf-8', 'cache-control': 'no-store' };
  if (q.has('download')) headers['content-disposition'] = `attachment; filename="${filename}.openslo.${format}"`;
  return new Response(body, { headers });
}
