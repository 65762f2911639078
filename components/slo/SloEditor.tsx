'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type ReactNode, useEffect, useId, useMemo, useState } from 'react';
import { PromQLEditor } from '@/components/editors/PromQLEditor';
import { Button } from '@/components/ui/Button';
import { Panel } from '@/components/ui/Panel';
import { Tabs } from '@/components/ui/Tabs';
import { ApiError, describeError } from '@/lib/api-errors';
import { awaitingBuckets } from '@/lib/slo/awaiting-buckets';
import { defaultAlertWindows, periodMs } from '@/lib/slo/maths';
import type { SloDefinitionInput } from '@/lib/slo/model';
import { sloApi } from './api';
import { SloPreview } from './SloPreview';

type Sli = SloDefinitionInput['sli'];
type Window = SloDefinitionInput['window'];
type Alerting = SloDefinitionInput['alerting'];

export interface SloEditorProps {
  /** the definition to start from (a template, or the revision being edited) */
  initial: SloDefinitionInput;
  /** editing an existing SLO: its id and the revision the form was loaded from */
  existing?: { id: string; revision: number };
}

const inputClass = 'h-8 w-full rounded-md border border-line bg-panel px-2 text-sm';
/** Metric names and matchers: monospace, tall enough that underscores are not clipped. */
const monoClass = 'h-9 w-full rounded-md border border-line bg-panel px-2 font-mono text-[13px] leading-6';

function Field({ label, htmlFor, error, hint, children }: { label: string; htmlFor: string; error?: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={htmlFor} className="text-xs font-medium text-muted">
        {label}
      </label>
      {children}
      {error ? (
        <p className="text-xs text-danger" role="alert" data-testid={`error-${htmlFor}`}>
          {error}
        </p>
      ) : hint ? (
        <p className="text-xs text-muted">{hint}</p>
      ) : null}
    </div>
  );
}

/** Debounces a value: the preview asks the server at most every 600 ms while typing. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

const labelsText = (l: Record<string, string> | undefined) =>
  Object.entries(l ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
const parseLabels = (text: string) => Object.fromEntries(text.split('\n').flatMap((line) => (line.trim() ? [[line.split('=')[0].trim(), line.slice(line.indexOf('=') + 1).trim()]] : [])));

/**
 * The SLO form: identity, SLI (ratio / latency / trace), objective, window,
 * budgeting and the multiwindow alert windows, with the live preview beside it
 * (the server validates and measures the draft as it would save it).
 */
export function SloEditor({ initial, existing }: SloEditorProps) {
  const router = useRouter();
  const id = useId();
  const [draft, setDraft] = useState<SloDefinitionInput>(initial);
  const [labels, setLabels] = useState(labelsText(initial.labels));
  const [message, setMessage] = useState('');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<{ text: string; conflict: boolean } | null>(null);
  const [localProblems, setLocalProblems] = useState<Record<string, number>>({});
  // Kind-specific drafts survive switching the SLI kind back and forth.
  const [sliByKind, setSliByKind] = useState<Partial<Record<Sli['kind'], Sli>>>({ [initial.sli.kind]: initial.sli });

  const full = useMemo<SloDefinitionInput>(() => ({ ...draft, labels: parseLabels(labels) }), [draft, labels]);
  const debounced = useDebounced(full, 600);
  const preview = useQuery({
    queryKey: ['slo-preview', debounced],
    queryFn: ({ signal }) => sloApi.preview(debounced, signal),
    retry: false,
    placeholderData: (prev) => prev,
    // Until Prometheus has the histogram's buckets (a server not scraped yet), ask again.
    refetchInterval: (query) => (query.state.data && awaitingBuckets(query.state.data) ? 5000 : false),
  });
  const issues = useMemo(() => {
    const e = preview.error as { message?: string } | null;
    const out: Record<string, string> = {};
    // The server's 400 lists "path: message"; each goes next to its field.
    for (const part of (e?.message ?? '').split('; ')) {
      const m = /^([\w.]+): (.*)$/.exec(part);
      if (m) out[m[1]] ??= m[2];
    }
    return out;
  }, [preview.error]);
  const issue = (path: string) => issues[path] ?? Object.entries(issues).find(([k]) => k.startsWith(`${path}.`))?.[1];

  const set = <K extends keyof SloDefinitionInput>(k: K, v: SloDefinitionInput[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const setSli = (sli: Sli) => {
    setSliByKind((m) => ({ ...m, [sli.kind]: sli }));
    set('sli', sli);
  };
  const setWindow = (w: Window) => {
    // New period, new default windows (the maths below says what they mean).
    const d = defaultAlertWindows(periodMs({ kind: w.kind, ...(w.kind === 'rolling' ? { duration: w.duration } : { unit: w.unit, timeZone: w.timeZone ?? 'UTC' }) } as never));
    setDraft((x) => ({ ...x, window: w, alerting: { ...x.alerting, page: { ...x.alerting.page, ...d.page }, ticket: { ...x.alerting.ticket, ...d.ticket } } }));
  };
  const setAlerting = (a: Alerting) => set('alerting', a);

  async function save() {
    setSaving(true);
    setSaveError(null);
    try {
      const r = existing ? await sloApi.save(existing.id, full, existing.revision, message) : await sloApi.create(full, message || 'created');
      router.push(`/slos/${r.slo.id}${r.rules.note ? `?note=${encodeURIComponent(r.rules.note)}` : ''}`);
    } catch (e) {
      setSaveError({ text: describeError(e).text, conflict: e instanceof ApiError && e.status === 409 && !!existing && /^revision \d+ was saved by/.test(e.message) });
      setSaving(false);
    }
  }

  const sli = draft.sli;
  const blocked = Object.values(localProblems).some((n) => n > 0);
  const kindItems = [
    { key: 'latency' as const, label: 'Latency threshold' },
    { key: 'ratio' as const, label: 'Ratio (good or bad / total)' },
    { key: 'trace' as const, label: 'Trace-based' },
  ];
  const switchKind = (k: Sli['kind']) => {
    const kept = sliByKind[k];
    if (kept) return setSli(kept);
    if (k === 'ratio') setSli({ kind: 'ratio', bad: '', total: '' });
    else if (k === 'latency') setSli({ kind: 'latency', metric: 'gen_ai_server_request_duration_seconds', matchers: '', histogram: 'classic', thresholdSeconds: 2 });
    else setSli({ kind: 'trace', filter: '{ kind = server }', thresholdMs: 2000 });
  };

  return (
    <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]" data-testid="slo-editor">
      <div className="flex min-w-0 flex-col gap-4">
        <Panel title="What the SLO is about">
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="Name" htmlFor={`${id}-name`} error={issue('name')} hint="a-z, 0-9 and -; Prometheus labels the rules sloth_slo=<name>">
              <input id={`${id}-name`} className={inputClass} value={draft.name} onChange={(e) => set('name', e.target.value)} />
            </Field>
            <Field label="Service" htmlFor={`${id}-service`} error={issue('service')}>
              <input id={`${id}-service`} className={inputClass} value={draft.service} onChange={(e) => set('service', e.target.value)} />
            </Field>
            <Field label="Display name" htmlFor={`${id}-display`} error={issue('displayName')}>
              <input id={`${id}-display`} className={inputClass} value={draft.displayName ?? ''} onChange={(e) => set('displayName', e.target.value || undefined)} />
            </Field>
            <Field label="Owner" htmlFor={`${id}-owner`} error={issue('owner')}>
              <input id={`${id}-owner`} className={inputClass} value={draft.owner ?? ''} onChange={(e) => set('owner', e.target.value)} />
            </Field>
            <div className="sm:col-span-2">
              <Field label="Description" htmlFor={`${id}-description`} error={issue('description')}>
                <textarea id={`${id}-description`} rows={2} className="w-full rounded-md border border-line bg-panel p-2 text-sm" value={draft.description ?? ''} onChange={(e) => set('description', e.target.value)} />
              </Field>
            </div>
            <div className="sm:col-span-2">
              <Field label="Labels (one name=value per line, added to every rule)" htmlFor={`${id}-labels`} error={issue('labels')}>
                <textarea id={`${id}-labels`} rows={2} className="w-full rounded-md border border-line bg-panel p-2 font-mono text-xs" value={labels} onChange={(e) => setLabels(e.target.value)} />
              </Field>
            </div>
          </div>
        </Panel>

        <Panel title="Service level indicator" actions={<Tabs label="SLI kind" items={kindItems} value={sli.kind} onChange={switchKind} />} testId="slo-sli">
          {sli.kind === 'ratio' && (
            <div className="flex flex-col gap-3">
              <fieldset className="flex gap-4 text-sm">
                <legend className="sr-only">Numerator</legend>
                {(['bad', 'good', 'errorRatio'] as const).map((k) => (
                  <label key={k} className="flex items-center gap-1">
                    <input
                      type="radio"
                      name={`${id}-numerator`}
                      checked={sli[k] !== undefined}
                      onChange={() => setSli({ kind: 'ratio', [k]: sli.bad ?? sli.good ?? sli.errorRatio ?? '', ...(k === 'errorRatio' ? {} : { total: sli.total ?? '' }) })}
                    />
                    {k === 'bad' ? 'bad / total' : k === 'good' ? 'good / total' : 'error ratio (one query)'}
                  </label>
                ))}
              </fieldset>
              {(['bad', 'good', 'errorRatio', 'total'] as const)
                .filter((k) => sli[k] !== undefined)
                .map((k) => (
                  <Field key={k} label={{ bad: 'Bad events per second', good: 'Good events per second', errorRatio: 'Error ratio', total: 'All events per second' }[k]} htmlFor={`${id}-${k}`} error={issue(`sli.${k}`)}>
                    <PromQLEditor
                      label={`${k} query`}
                      testId={`promql-${k}`}
                      value={sli[k] ?? ''}
                      onChange={(v) => setSli({ ...sli, [k]: v })}
                      onProblems={(p) => setLocalProblems((m) => ({ ...m, [k]: p.length }))}
                      windowPlaceholder
                      instant
                      placeholder="sum(rate(http_requests_total{code=~&quot;5..&quot;}[{{.window}}]))"
                    />
                  </Field>
                ))}
              <p className="text-xs text-muted">
                Write <code>{'{{.window}}'}</code> where the range goes: the rules evaluate each query over every alert window and the period (Sloth’s convention).
              </p>
            </div>
          )}
          {sli.kind === 'latency' && (
            <div className="grid gap-3 sm:grid-cols-2">
              <Field label="Histogram metric" htmlFor={`${id}-metric`} error={issue('sli.metric')} hint="without _bucket / _count">
                <input id={`${id}-metric`} className={monoClass} value={sli.metric} onChange={(e) => setSli({ ...sli, metric: e.target.value, le: undefined })} />
              </Field>
              <Field label="Label matchers" htmlFor={`${id}-matchers`} error={issue('sli.matchers')} hint={'e.g. gen_ai_request_model="tiny"'}>
                <input id={`${id}-matchers`} className={monoClass} value={sli.matchers ?? ''} onChange={(e) => setSli({ ...sli, matchers: e.target.value, le: undefined })} />
              </Field>
              <Field label="Good when it took at most (seconds)" htmlFor={`${id}-threshold`} error={issue('sli.thresholdSeconds')} hint="any value: it need not be a bucket bound (the preview says which bound measures it)">
                <input
                  id={`${id}-threshold`}
                  type="number"
                  step="any"
                  min="0"
                  className={inputClass}
                  value={Number.isFinite(sli.thresholdSeconds) ? sli.thresholdSeconds : ''}
                  onChange={(e) => setSli({ ...sli, thresholdSeconds: e.target.valueAsNumber, le: undefined })}
                />
              </Field>
              <Field label="Histogram type" htmlFor={`${id}-histogram`}>
                <select id={`${id}-histogram`} className={inputClass} value={sli.histogram ?? 'classic'} onChange={(e) => setSli({ ...sli, histogram: e.target.value as 'classic' | 'native', le: undefined })}>
                  <option value="classic">classic (le buckets)</option>
                  <option value="native">native (histogram_fraction)</option>
                </select>
              </Field>
            </div>
          )}
          {sli.kind === 'trace' && (
            <div className="grid gap-3">
              <Field label="Spans that count (TraceQL span set)" htmlFor={`${id}-filter`} error={issue('sli.filter')} hint="conditions joined by &&, e.g. { resource.service.name = &quot;trisight-sandbox&quot; && kind = server }">
                <input id={`${id}-filter`} className={monoClass} value={sli.filter} onChange={(e) => setSli({ ...sli, filter: e.target.value })} />
              </Field>
              <Field label="Good when the span took at most (ms)" htmlFor={`${id}-threshold-ms`} error={issue('sli.thresholdMs')}>
                <input id={`${id}-threshold-ms`} type="number" min="0" step="any" className={inputClass} value={Number.isFinite(sli.thresholdMs) ? sli.thresholdMs : ''} onChange={(e) => setSli({ ...sli, thresholdMs: e.target.valueAsNumber })} />
              </Field>
              <p className="text-xs text-muted">Counted from the embedded span store, each span weighted by 1 ÷ its sampling probability. Prometheus cannot evaluate TraceQL, so these SLOs have no Prometheus rules.</p>
            </div>
          )}
        </Panel>

        <Panel title="Objective and window">
          <div className="grid gap-3 sm:grid-cols-3">
            <Field label="Objective (% good)" htmlFor={`${id}-objective`} error={issue('objective')}>
              <input id={`${id}-objective`} type="number" step="any" min="0" max="100" className={inputClass} value={Number.isFinite(draft.objective) ? draft.objective : ''} onChange={(e) => set('objective', e.target.valueAsNumber)} />
            </Field>
            <Field label="Window" htmlFor={`${id}-window`} error={issue('window')}>
              <select
                id={`${id}-window`}
                className={inputClass}
                value={draft.window.kind === 'rolling' ? draft.window.duration : `calendar-${draft.window.unit}`}
                onChange={(e) => {
                  const v = e.target.value;
                  if (v.startsWith('calendar-')) setWindow({ kind: 'calendar', unit: v.slice(9) as 'week' | 'month', timeZone: draft.window.kind === 'calendar' ? draft.window.timeZone : 'UTC' });
                  else setWindow({ kind: 'rolling', duration: v as '7d' | '28d' | '30d' });
                }}
              >
                <option value="7d">rolling 7 days</option>
                <option value="28d">rolling 28 days</option>
                <option value="30d">rolling 30 days</option>
                <option value="calendar-week">calendar week</option>
                <option value="calendar-month">calendar month</option>
              </select>
            </Field>
            {draft.window.kind === 'calendar' ? (
              <Field label="Time zone" htmlFor={`${id}-tz`} error={issue('window.timeZone')}>
                <input id={`${id}-tz`} className={inputClass} value={draft.window.timeZone ?? 'UTC'} onChange={(e) => set('window', { ...(draft.window as Extract<Window, { kind: 'calendar' }>), timeZone: e.target.value })} />
              </Field>
            ) : (
              <Field label="Budgeting" htmlFor={`${id}-budgeting`} error={issue('budgetingMethod') ?? issue('timeSlice')}>
                <select
                  id={`${id}-budgeting`}
                  className={inputClass}
                  value={draft.budgetingMethod ?? 'Occurrences'}
                  onChange={(e) => {
                    const m = e.target.value as 'Occurrences' | 'Timeslices' | 'RatioTimeslices';
                    setDraft((d) => ({ ...d, budgetingMethod: m, timeSlice: m === 'Occurrences' ? undefined : { window: d.timeSlice?.window ?? '1m', ...(m === 'Timeslices' ? { target: d.timeSlice?.target ?? 0.95 } : {}) } }));
                  }}
                >
                  <option value="Occurrences">events (Occurrences)</option>
                  <option value="Timeslices">good minutes (Timeslices)</option>
                  <option value="RatioTimeslices">mean of minute ratios (RatioTimeslices)</option>
                </select>
              </Field>
            )}
          </div>
        </Panel>

        <AlertWindowsEditor value={draft.alerting} onChange={setAlerting} error={issue('alerting')} />

        <Panel title={existing ? `Save as revision ${existing.revision + 1}` : 'Create'}>
          <div className="flex flex-col gap-2">
            <Field label="What changed (kept in the history)" htmlFor={`${id}-message`}>
              <input id={`${id}-message`} className={inputClass} value={message} onChange={(e) => setMessage(e.target.value)} placeholder={existing ? 'e.g. tighter threshold after the prefix cache fix' : 'created'} />
            </Field>
            <div className="flex items-center gap-2">
              <Button variant="primary" onClick={save} disabled={saving || blocked} data-testid="slo-save">
                {saving ? 'Saving…' : existing ? 'Save' : 'Create SLO'}
              </Button>
              {blocked && <span className="text-xs text-danger">Fix the query problems above first.</span>}
            </div>
            {saveError && (
              <div role="alert" data-testid="slo-save-error" className="rounded-md border border-danger/40 bg-danger/5 p-2 text-sm text-danger">
                {saveError.text}
                {saveError.conflict && (
                  <div className="mt-2">
                    <Button size="sm" onClick={() => window.location.reload()}>
                      Load the latest revision
                    </Button>
                  </div>
                )}
              </div>
            )}
          </div>
        </Panel>
      </div>
      <SloPreview q={preview} />
    </div>
  );
}

const SPEEDS = [
  ['page', 'quick'],
  ['page', 'slow'],
  ['ticket', 'quick'],
  ['ticket', 'slow'],
] as const;

/** The four multiwindow conditions, editable; the preview shows what each one means. */
function AlertWindowsEditor({ value, onChange, error }: { value: Alerting; onChange: (a: Alerting) => void; error?: string }) {
  const id = useId();
  return (
    <Panel title="Alerting (multiwindow, multi-burn-rate)" subtitle="A condition fires when both windows burn faster than the share of the budget allows. Defaults: the SRE workbook’s set, scaled to the window.">
      <div className="flex flex-col gap-3">
        <div className="grid gap-3 sm:grid-cols-3">
          <Field label="Alert name" htmlFor={`${id}-alert`}>
            <input id={`${id}-alert`} className={inputClass} value={value.name} onChange={(e) => onChange({ ...value, name: e.target.value })} />
          </Field>
          {(['page', 'ticket'] as const).map((s) => (
            <label key={s} className="mt-5 flex items-center gap-2 text-sm">
              <input type="checkbox" checked={value[s].enabled !== false} onChange={(e) => onChange({ ...value, [s]: { ...value[s], enabled: e.target.checked } })} />
              {s === 'page' ? 'Page alert' : 'Ticket alert'}
            </label>
          ))}
        </div>
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-muted">
            <tr>
              <th scope="col" className="pb-1 font-medium">
                Condition
              </th>
              <th scope="col" className="pb-1 font-medium">
                Long window
              </th>
              <th scope="col" className="pb-1 font-medium">
                Short window
              </th>
              <th scope="col" className="pb-1 font-medium">
                Budget share (%)
              </th>
            </tr>
          </thead>
          <tbody>
            {SPEEDS.map(([s, speed]) => {
              const w = value[s][speed];
              const upd = (patch: Partial<typeof w>) => onChange({ ...value, [s]: { ...value[s], [speed]: { ...w, ...patch } } });
              return (
                <tr key={`${s}-${speed}`}>
                  <th scope="row" className="py-1 pr-2 text-xs font-medium">
                    {s} · {speed}
                  </th>
                  <td className="py-1 pr-2">
                    <input aria-label={`${s} ${speed} long window`} className={inputClass} value={w.long} onChange={(e) => upd({ long: e.target.value })} />
                  </td>
                  <td className="py-1 pr-2">
                    <input aria-label={`${s} ${speed} short window`} className={inputClass} value={w.short} onChange={(e) => upd({ short: e.target.value })} />
                  </td>
                  <td className="py-1">
                    <input aria-label={`${s} ${speed} budget share`} type="number" step="any" className={inputClass} value={Number.isFinite(w.budgetPercent) ? w.budgetPercent : ''} onChange={(e) => upd({ budgetPercent: e.target.valueAsNumber })} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {error && (
          <p role="alert" className="text-xs text-danger">
            {error}
          </p>
        )}
      </div>
    </Panel>
  );
}
