'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useId, useState, type ReactNode } from 'react';
import { errorFromBody, type ApiErrorBody } from '@/lib/api-errors';
import { mutationHeaders } from '@/lib/auth/client';
import { errorsByField, formFromSearch, formToBody, formToSearch, validateForm, type FormErrors, type LoadForm as Form } from '@/lib/loadruns/form';
import { LIMITS } from '@/lib/loadgen/params';
import { roleNeeded, useCan } from '@/components/auth/viewer';
import { Button } from '@/components/ui/Button';
import { Panel } from '@/components/ui/Panel';
import { runKeys } from '@/components/runs/api';
import { useTargets } from './api';

const input =
  'h-8 w-full rounded-md border border-line bg-bg px-2 text-sm tabular-nums aria-[invalid=true]:border-danger focus-visible:outline-2 focus-visible:outline-focus';

function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium">
        {label}
      </label>
      {children}
      {error ? (
        <p id={`${id}-msg`} role="alert" className="text-xs text-danger">
          {error}
        </p>
      ) : (
        hint && (
          <p id={`${id}-msg`} className="text-xs text-muted">
            {hint}
          </p>
        )
      )}
    </div>
  );
}

/** The load form. Its values live in the URL, so a configured load is a link. */
export function LoadForm() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const qc = useQueryClient();
  const targets = useTargets();
  const canRun = useCan('editor');
  const uid = useId();
  // Typing must not wait for a navigation: the form state is local and mirrored into
  // the URL with history.replaceState (which Next.js keeps useSearchParams in sync with).
  const [form, setForm] = useState<Form>(() => formFromSearch((k) => params.get(k)));
  const [shown, setShown] = useState<FormErrors>({});

  const set = (patch: Partial<Form>) => {
    const next = { ...form, ...patch };
    setForm(next);
    const qs = formToSearch(next);
    // Keep the global time range and anything else on the URL.
    for (const [k, v] of params) if (!(k in next)) qs.set(k, v);
    window.history.replaceState(null, '', `${pathname}${qs.size ? `?${qs}` : ''}`);
    // Clear a field's message as soon as it is edited.
    if (Object.keys(shown).length) setShown((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !(k in patch))));
  };

  const start = useMutation({
    mutationFn: async (f: Form) => {
      const res = await fetch('/api/runs', { method: 'POST', headers: mutationHeaders(), body: JSON.stringify(formToBody(f)) });
      const body = (await res.json().catch(() => null)) as ({ id: string } & Partial<ApiErrorBody>) | null;
      if (res.status === 400 && body?.error?.issues) return { errors: errorsByField(body.error.issues) };
      if (!res.ok || !body?.id) throw errorFromBody(res.status, body);
      return { id: body.id };
    },
    onSuccess: (r) => {
      if (r.errors) return setShown(r.errors);
      void qc.invalidateQueries({ queryKey: runKeys.all });
      router.push(`/sandbox/runs/${r.id}`);
    },
  });

  const targetList = targets.data?.targets ?? [];
  const selected = targetList.find((t) => t.name === form.target);
  // The served model's context (prompt + output tokens), from the target's own /v1/models.
  const maxModelLen = selected?.limits?.maxModelLen ?? null;
  const room = maxModelLen ? maxModelLen - 1 : null;

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    const errs = validateForm(form, maxModelLen);
    setShown(errs);
    if (Object.keys(errs).length === 0) start.mutate(form);
  };

  const id = (k: string) => `${uid}-${k}`;
  const num = (k: keyof Form, extra: { min?: number; max?: number; step?: string } = {}) => ({
    id: id(k),
    name: k,
    inputMode: 'decimal' as const,
    value: form[k],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => set({ [k]: e.target.value }),
    'aria-invalid': shown[k] ? true : undefined,
    'aria-describedby': `${id(k)}-msg`,
    className: input,
    ...extra,
  });
  const promptCap = room ? Math.min(LIMITS.promptTokens, room - 1) : LIMITS.promptTokens;
  const outputCap = room ? Math.min(LIMITS.maxTokens, room - 1) : LIMITS.maxTokens;
  const contextHint = maxModelLen ? `${selected?.limits?.model}: ${maxModelLen.toLocaleString('en-US')}-token context` : selected?.limitsError;

  return (
    <Panel title="Fire a load" subtitle="Bounded: at most 10,000 requests, 64 in flight, and a time cap." testId="load-form">
      <form onSubmit={onSubmit} noValidate className="flex flex-col gap-4" aria-describedby={shown.form ? id('form-msg') : undefined}>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
          <Field id={id('target')} label="Target" error={shown.target} hint={targets.error ? 'could not load targets' : [selected?.preset.label, contextHint].filter(Boolean).join(' · ')}>
            <select id={id('target')} name="target" value={form.target} onChange={(e) => set({ target: e.target.value })} className={input} aria-invalid={shown.target ? true : undefined} aria-describedby={`${id('target')}-msg`}>
              {!targetList.some((t) => t.name === form.target) && <option value={form.target}>{form.target}</option>}
              {targetList.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name}
                  {t.builtin ? ' (bundled)' : ''}
                </option>
              ))}
            </select>
          </Field>
          <Field id={id('requests')} label="Requests" hint={`≤ ${LIMITS.requests.toLocaleString('en-US')}`} error={shown.requests}>
            <input type="number" {...num('requests', { min: 1, max: LIMITS.requests })} />
          </Field>
          <Field id={id('concurrency')} label="Concurrency" hint={`≤ ${LIMITS.concurrency}`} error={shown.concurrency}>
            <input type="number" {...num('concurrency', { min: 1, max: LIMITS.concurrency })} />
          </Field>
          <Field id={id('maxTokens')} label="Max tokens" hint={room ? `prompt + max tokens ≤ ${room.toLocaleString('en-US')}` : `≤ ${LIMITS.maxTokens.toLocaleString('en-US')}`} error={shown.maxTokens}>
            <input type="number" {...num('maxTokens', { min: 1, max: outputCap })} />
          </Field>
          <Field id={id('temperature')} label="Temperature" hint={`0 – ${LIMITS.temperature}`} error={shown.temperature}>
            <input type="number" {...num('temperature', { min: 0, max: LIMITS.temperature, step: '0.1' })} />
          </Field>
          <Field id={id('p0')} label="P0 share (%)" hint="rest is P1" error={shown.p0}>
            <input type="number" {...num('p0', { min: 0, max: 100 })} />
          </Field>
        </div>

        <fieldset className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
          <legend className="mb-1 text-xs font-medium">
            Prompt length (tokens; one byte each on the sandbox){room ? `: with max tokens, at most ${room.toLocaleString('en-US')} for ${selected?.limits?.model}` : ''}
          </legend>
          <div role="radiogroup" aria-label="Prompt length mode" className="flex items-end gap-3 pb-1 text-sm">
            {(['fixed', 'range'] as const).map((m) => (
              <label key={m} className="inline-flex items-center gap-1">
                <input type="radio" name="prompt" value={m} checked={form.prompt === m} onChange={() => set({ prompt: m })} />
                {m === 'fixed' ? 'Fixed' : 'Uniform range'}
              </label>
            ))}
          </div>
          {form.prompt === 'fixed' ? (
            <Field id={id('promptTokens')} label="Tokens" hint={`≤ ${promptCap.toLocaleString('en-US')}`} error={shown.promptTokens}>
              <input type="number" {...num('promptTokens', { min: 1, max: promptCap })} />
            </Field>
          ) : (
            <>
              <Field id={id('promptMin')} label="Min" hint={`≥ 1`} error={shown.promptMin}>
                <input type="number" {...num('promptMin', { min: 1, max: promptCap })} />
              </Field>
              <Field id={id('promptMax')} label="Max" hint={`≤ ${promptCap.toLocaleString('en-US')}`} error={shown.promptMax}>
                <input type="number" {...num('promptMax', { min: 1, max: promptCap })} />
              </Field>
            </>
          )}
        </fieldset>

        <fieldset className="grid grid-cols-3 gap-3 sm:grid-cols-6" data-testid="prompt-mix">
          <legend className="mb-1 text-xs font-medium">Prompt kinds (% of requests): the prompt-entropy panel separates them</legend>
          <Field id={id('mixNatural')} label="Natural text" hint="ordinary words" error={shown.mixNatural}>
            <input type="number" {...num('mixNatural', { min: 0, max: 100 })} />
          </Field>
          <Field id={id('mixRepeated')} label="Repeated word" hint="low entropy" error={shown.mixRepeated}>
            <input type="number" {...num('mixRepeated', { min: 0, max: 100 })} />
          </Field>
          <Field id={id('mixRandom')} label="Random bytes" hint="high entropy" error={shown.mixRandom}>
            <input type="number" {...num('mixRandom', { min: 0, max: 100 })} />
          </Field>
        </fieldset>

        <details className="text-sm">
          <summary className="cursor-pointer text-xs font-medium text-muted">Seed, time cap and goodput targets</summary>
          <div className="mt-2 grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-6">
            <Field id={id('seed')} label="Seed" hint="same seed, same prompts" error={shown.seed}>
              <input type="number" {...num('seed', { min: 0 })} />
            </Field>
            <Field id={id('maxDuration')} label="Time cap (s)" hint={`≤ ${LIMITS.maxDurationS}`} error={shown.maxDuration}>
              <input type="number" {...num('maxDuration', { min: 1, max: LIMITS.maxDurationS })} />
            </Field>
            <Field id={id('sloTtftMs')} label="Goodput: TTFT ≤ (ms)" hint="empty: no target" error={shown.sloTtftMs}>
              <input type="number" {...num('sloTtftMs', { min: 0 })} />
            </Field>
            <Field id={id('sloTpotMs')} label="Goodput: TPOT ≤ (ms)" hint="empty: no target" error={shown.sloTpotMs}>
              <input type="number" {...num('sloTpotMs', { min: 0 })} />
            </Field>
          </div>
        </details>

        <div className="flex flex-wrap items-center gap-3">
          {canRun ? (
            <Button type="submit" variant="primary" disabled={start.isPending}>
              {start.isPending ? 'Starting…' : 'Run'}
            </Button>
          ) : (
            <p className="text-sm text-muted" data-testid="run-needs-editor">
              {roleNeeded('editor', 'firing load')}
            </p>
          )}
          {shown.form && (
            <p id={id('form-msg')} role="alert" className="text-sm text-danger">
              {shown.form}
            </p>
          )}
          {start.error && (
            <p role="alert" className="text-sm text-danger">
              Could not start the run: {start.error.message}
            </p>
          )}
        </div>
      </form>
    </Panel>
  );
}
