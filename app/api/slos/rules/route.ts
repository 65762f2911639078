import { prisma } from '@/lib/db';
import { RULES_VERSION } from '@/lib/slo/deploy';
import { sloRoute } from '@/lib/slo/http';
import { ruleFileYaml } from '@/lib/slo/rules';
import { listSlos } from '@/lib/slo/store';

/** GET /api/slos/rules: one rule file with every SLO (for a Prometheus Trisight does not run). */
export async function GET() {
  return sloRoute(async () => {
    const defs = (await listSlos(prisma())).map((s) => s.definition);
    return new Response(ruleFileYaml(defs, { version: RULES_VERSION }), {
      headers: { 'content-type': 'application/yaml; charset=utf-8', 'cache-control': 'no-store', 'content-disposition': 'attachment; filename="trisight-slos.yml"' },
    });
  });
}
