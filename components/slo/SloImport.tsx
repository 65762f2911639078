'use client';

import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { Button } from '@/components/ui/Button';
import { Panel } from '@/components/ui/Panel';
import { describeError } from '@/lib/api-errors';
import { sloApi } from './api';

/** Paste or open OpenSLO v1 (YAML or JSON) or a Sloth prometheus/v1 spec; check it, then import all of it or nothing. */
export function SloImport() {
  const id = useId();
  const router = useRouter();
  const [text, setText] = useState('');
  const [rename, setRename] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string; names?: string[] } | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(dryRun: boolean) {
    setBusy(true);
    setResult(null);
    try {
      const r = await sloApi.importText(text, { rename: rename.trim() || undefined, dryRun });
      if (dryRun) setResult({ ok: true, text: `Valid ${r.format === 'sloth' ? 'Sloth' : 'OpenSLO'} document: importing creates`, names: r.definitions.map((d) => d.name) });
      else router.push(r.created.length === 1 ? `/slos/${r.created[0].id}` : '/slos');
    } catch (e) {
      setResult({ ok: false, text: describeError(e).text });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Panel title="Import SLOs" subtitle="OpenSLO v1 (Service, SLI and SLO objects; multi-document YAML or JSON) or Sloth prometheus/v1. Nothing is stored unless every SLO in the document is valid." testId="slo-import">
      <div className="flex flex-col gap-3">
        <label htmlFor={`${id}-text`} className="text-xs font-medium text-muted">
          Document
        </label>
        <textarea id={`${id}-text`} rows={18} spellCheck={false} className="w-full rounded-md border border-line bg-panel p-2 font-mono text-xs" value={text} onChange={(e) => setText(e.target.value)} placeholder="apiVersion: openslo/v1&#10;kind: SLO&#10;…" />
        <div className="flex flex-wrap items-end gap-3">
          <label className="flex flex-col gap-1 text-xs font-medium text-muted">
            Open a file
            <input
              type="file"
              accept=".yaml,.yml,.json,application/json,application/yaml"
              className="text-sm"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                if (f) setText(await f.text());
              }}
            />
          </label>
          <label className="flex flex-col gap-1 text-xs font-medium text-muted">
            Import under a new name (one SLO only)
            <input className="h-8 rounded-md border border-line bg-panel px-2 text-sm" value={rename} onChange={(e) => setRename(e.target.value)} data-testid="import-rename" />
          </label>
          <Button onClick={() => run(true)} disabled={busy || !text.trim()}>
            Check
          </Button>
          <Button variant="primary" onClick={() => run(false)} disabled={busy || !text.trim()} data-testid="import-submit">
            Import
          </Button>
        </div>
        {result && (
          <div role={result.ok ? 'status' : 'alert'} data-testid="import-result" className={`rounded-md border p-2 text-sm ${result.ok ? 'border-line' : 'border-danger/40 bg-danger/5 text-danger'}`}>
            {result.text}
            {result.names && <span className="font-medium"> {result.names.join(', ')}</span>}
          </div>
        )}
      </div>
    </Panel>
  );
}
