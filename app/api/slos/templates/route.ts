import { ApiError } from '@/lib/api-errors';
import { noStore, sloRoute } from '@/lib/slo/http';
import { sloTemplates } from '@/lib/slo/templates';
import { config } from '@/lib/config';
import { loadTargets } from '@/lib/targets';

/** GET /api/slos/templates?target=NAME: model-serving SLO templates with that load target's metric names. */
export async function GET(req: Request) {
  return sloRoute(async () => {
    const targets = loadTargets(config()).map((t) => ({ name: t.name, preset: t.preset.id }));
    const name = new URL(req.url).searchParams.get('target') ?? targets[0]?.name;
    const target = targets.find((t) => t.name === name);
    if (!target) throw new ApiError(400, `target: unknown target ${JSON.stringify(name)}; configured: ${targets.map((t) => t.name).join(', ') || 'none'}`);
    return Response.json({ target: target.name, preset: target.preset, targets, templates: sloTemplates(target.preset, target.name) }, { headers: noStore });
  });
}
