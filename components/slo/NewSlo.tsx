'use client';

import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Badge } from '@/components/ui/Badge';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import type { SloDefinitionInput } from '@/lib/slo/model';
import { sloApi } from './api';
import { SloEditor } from './SloEditor';

/**
 * A new SLO: pick a load target (its serving preset names the metrics) and a
 * template, then edit. The choice lives in the URL (?target=…&template=…).
 */
export function NewSlo() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const target = params.get('target');
  const templateId = params.get('template');
  const q = useQuery({ queryKey: ['slo-templates', target], queryFn: ({ signal }) => sloApi.templates(target, signal) });
  const choose = (next: Record<string, string>) => router.replace(`${pathname}?${new URLSearchParams({ ...Object.fromEntries(params), ...next })}`, { scroll: false });
  const template = q.data?.templates.find((t) => t.id === templateId && t.definition);
  return (
    <div className="flex flex-col gap-4">
      <Panel
        title="Start from a template"
        subtitle={q.data ? `Metric names of the ${q.data.preset} preset of target “${q.data.target}”` : undefined}
        {...queryPanelState(q)}
        actions={
          q.data && q.data.targets.length > 1 ? (
            <label className="flex items-center gap-2 text-xs">
              Target
              <select className="h-7 rounded-md border border-line bg-panel px-2" value={q.data.target} onChange={(e) => choose({ target: e.target.value })}>
                {q.data.targets.map((t) => (
                  <option key={t.name} value={t.name}>
                    {t.name} ({t.preset})
                  </option>
                ))}
              </select>
            </label>
          ) : undefined
        }
        testId="slo-templates"
      >
        <div className="grid gap-2 sm:grid-cols-2 xl:grid-cols-4">
          {q.data?.templates.map((t) => (
            <button
              key={t.id}
              type="button"
              disabled={!t.definition}
              aria-pressed={t.id === templateId}
              onClick={() => choose({ template: t.id, target: q.data!.target })}
              className={`flex flex-col items-start gap-1 rounded-md border p-3 text-left text-sm disabled:cursor-not-allowed disabled:opacity-60 ${t.id === templateId ? 'border-accent bg-accent/5' : 'border-line hover:bg-panel-2'}`}
              data-testid={`template-${t.id}`}
            >
              <span className="font-medium">{t.title}</span>
              <span className="text-xs text-muted">{t.definition ? t.description : t.unavailable}</span>
              {t.definition && <Badge>{t.definition.sli.kind === 'latency' ? 'latency' : 'ratio'}</Badge>}
            </button>
          ))}
        </div>
      </Panel>
      {template?.definition ? (
        <SloEditor key={`${q.data?.target}-${template.id}`} initial={template.definition as SloDefinitionInput} />
      ) : (
        <p className="text-sm text-muted">Choose a template above; every field can be changed before saving.</p>
      )}
    </div>
  );
}
