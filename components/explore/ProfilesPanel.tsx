'use client';

import { useEffect, useId, useState } from 'react';
import { FlameGraph } from '@/components/flame/FlameGraph';
import { Button } from '@/components/ui/Button';
import { Panel } from '@/components/ui/Panel';
import { defaultTraceQL, profileSelector, type CompareMode, type ExploreState } from '@/lib/explore/url-state';
import { formatLatencyMs } from '@/lib/model/latency-view';
import type { TimeRange } from '@/lib/model/types';
import { pickProfileType } from '@/lib/runs/views';
import { formatUtc } from '@/lib/time-range';
import { useDiff, useFlame, useProfileLabels, useProfileLabelValues, useProfileServices, useProfileTypes, useSlowFast } from './api';
import { QueryState } from './QueryState';
import type { UpdateExplore } from './useExploreState';
import { ServiceSelect } from './ServiceSelect';

const COMPARE: { key: CompareMode; label: string }[] = [
  { key: 'none', label: 'No comparison' },
  { key: 'range', label: 'Against another time range' },
  { key: 'labels', label: 'Against another label set' },
  { key: 'slowfast', label: 'Slow requests against fast ones' },
];

const select = 'h-8 max-w-[16rem] rounded-md border border-line bg-bg px-1 text-sm';

/** Label name + value pickers from the profile source's own LabelNames / LabelValues; "Add" appends a matcher. */
function MatcherPicker({ selector, range, onAdd }: { selector: string; range: TimeRange; onAdd: (matcher: string) => void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const names = useProfileLabels(selector, range, true);
  const values = useProfileLabelValues(name || null, selector, range);
  const id = useId();
  const hidden = new Set(['service_name', '__name__', '__profile_type__', '__period_type__', '__period_unit__', '__type__', '__unit__', '__delta__']);
  return (
    <div className="flex flex-wrap items-center gap-1 text-sm">
      <label htmlFor={`${id}-n`} className="text-xs text-muted">
        Label
      </label>
      <select id={`${id}-n`} value={name} onChange={(e) => {
          setName(e.target.value);
          setValue('');
        }} className={select} data-testid="profile-label-name">
        <option value="">—</option>
        {names.data?.names.filter((n) => !hidden.has(n)).map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-v`} className="text-xs text-muted">
        =
      </label>
      <select id={`${id}-v`} value={value} onChange={(e) => setValue(e.target.value)} className={select} disabled={!name} data-testid="profile-label-value">
        <option value="">—</option>
        {values.data?.values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
      <Button size="sm" disabled={!name || !value} onClick={() => onAdd(`${name}=${JSON.stringify(value)}`)}>
        Add
      </Button>
    </div>
  );
}

const ms = (t: number) => new Date(t).toISOString().slice(0, 16);

/**
 * Profiles: service, profile type and label matchers from the profile
 * source's own APIs, a flame graph of the range, or a diff against another
 * range, another label set, or — the product's move — the fastest requests
 * the Traces query matches, diffed against the slowest.
 */
export function ProfilesPanel({ state, update, range }: { state: ExploreState; update: UpdateExplore; range: TimeRange }) {
  const services = useProfileServices(range);
  const types = useProfileTypes(range);
  const [pselDraft, setPselDraft] = useState(state.psel);
  useEffect(() => setPselDraft(state.psel), [state.psel]);
  const ids = useId();
  const type = state.ptype || pickProfileType(types.data?.types ?? [])?.id || '';
  const selector = profileSelector(state.svc, state.psel);
  const single = useFlame(type, selector, range, state.cmp === 'none' && !!type);
  const baseRange = state.cfrom !== null && state.cto !== null ? { from: state.cfrom, to: state.cto } : { from: range.from - (range.to - range.from), to: range.from };
  const diff = useDiff(
    type && (state.cmp === 'range' || state.cmp === 'labels')
      ? { type, selector, range, ...(state.cmp === 'range' ? { baseRange } : { baseSelector: profileSelector(state.svc, state.csel) }) }
      : null,
  );
  const slowFast = useSlowFast(state.cmp === 'slowfast' ? state.tq || defaultTraceQL(state.svc) : null, range);
  const q = state.cmp === 'none' ? single : state.cmp === 'slowfast' ? slowFast : diff;
  const flame = state.cmp === 'none' ? single.data?.flame : state.cmp === 'slowfast' ? slowFast.data?.diff : diff.data?.diff;
  const unit = (state.cmp === 'slowfast' ? slowFast.data?.profileType : state.cmp === 'none' ? single.data?.profileType : diff.data?.profileType)?.sampleUnit ?? 'nanoseconds';

  let subtitle: React.ReactNode = null;
  if (state.cmp === 'range') subtitle = `Before: ${formatUtc(baseRange.from)} → ${formatUtc(baseRange.to)} UTC · after: the range at the top`;
  if (state.cmp === 'labels') subtitle = `Before: ${profileSelector(state.svc, state.csel)} · after: ${selector}`;
  if (state.cmp === 'slowfast' && slowFast.data) {
    const s = slowFast.data;
    subtitle = s.service
      ? `Before: the ${s.fast.requests.length} fastest, after: the ${s.slow.requests.length} slowest of ${s.ranked} ${s.service} requests matching ${s.query} (their spans’ own CPU)`
      : s.note;
  }
  if (state.cmp === 'none' && single.data?.profileType) subtitle = `${single.data.profileType.sampleType} (${single.data.profileType.id}) · ${selector}`;

  const empty =
    !q.isPending &&
    !flame &&
    (state.cmp === 'slowfast'
      ? (slowFast.data?.note ?? 'No requests to compare.')
      : !type
        ? 'No profiles are stored in this range. Send CPU profiles to the profile store (Pyroscope SDKs push to /ingest), or widen the range.'
        : 'No samples match this selection in this range.');

  return (
    <Panel
      title={state.cmp === 'none' ? 'CPU profile' : 'CPU profile (diff)'}
      source={q.data?.source ?? services.data?.source}
      testId="explore-profiles"
      subtitle={subtitle}
    >
      <div className="mb-3 flex flex-col gap-2">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <label htmlFor={`${ids}-svc`} className="text-xs text-muted">
            Service
          </label>
          <ServiceSelect id={`${ids}-svc`} value={state.svc} services={services.data?.values} onChange={(svc) => update({ svc, tq: '' })} className={select} testId="profile-service" />
          <label htmlFor={`${ids}-type`} className="text-xs text-muted">
            Profile type
          </label>
          <select id={`${ids}-type`} value={type} onChange={(e) => update({ ptype: e.target.value })} className={select} data-testid="profile-type">
            {!type && <option value="">none stored</option>}
            {type && !types.data?.types.some((t) => t.id === type) && <option value={type}>{type}</option>}
            {types.data?.types.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} · {t.sampleType} ({t.sampleUnit})
              </option>
            ))}
          </select>
          <label htmlFor={`${ids}-cmp`} className="text-xs text-muted">
            Compare
          </label>
          <select id={`${ids}-cmp`} value={state.cmp} onChange={(e) => update({ cmp: e.target.value as CompareMode })} className={select} data-testid="profile-compare">
            {COMPARE.map((c) => (
              <option key={c.key} value={c.key}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <MatcherPicker selector={selector} range={range} onAdd={(m) => update({ psel: profileSelector('', [state.psel.replace(/^\{|\}$/g, ''), m].filter(Boolean).join(', ')) })} />
        <form
          className="flex items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            update({ psel: pselDraft.trim() });
          }}
        >
          <label className="flex flex-1 items-center gap-2 text-sm">
            <span className="whitespace-nowrap text-xs text-muted">Matchers</span>
            <input value={pselDraft} onChange={(e) => setPselDraft(e.target.value)} placeholder='{region="eu"}' className="h-8 min-w-0 flex-1 rounded-md border border-line bg-bg px-2 font-mono text-xs" spellCheck={false} />
          </label>
          <Button type="submit">Apply</Button>
        </form>
        {state.cmp === 'range' && (
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span className="text-xs text-muted">Baseline range (UTC)</span>
            <input type="datetime-local" aria-label="Baseline from (UTC)" value={ms(baseRange.from)} onChange={(e) => update({ cfrom: Date.parse(`${e.target.value}Z`) || null, cto: baseRange.to })} className="h-8 rounded-md border border-line bg-bg px-1 text-xs" />
            <input type="datetime-local" aria-label="Baseline to (UTC)" value={ms(baseRange.to)} onChange={(e) => update({ cfrom: baseRange.from, cto: Date.parse(`${e.target.value}Z`) || null })} className="h-8 rounded-md border border-line bg-bg px-1 text-xs" />
            <span className="text-xs text-muted">(default: the period just before)</span>
          </div>
        )}
        {state.cmp === 'labels' && (
          <label className="flex items-center gap-2 text-sm">
            <span className="whitespace-nowrap text-xs text-muted">Baseline matchers</span>
            <input defaultValue={state.csel} onBlur={(e) => update({ csel: e.target.value.trim() })} placeholder='{version="v1"}' className="h-8 min-w-0 flex-1 rounded-md border border-line bg-bg px-2 font-mono text-xs" spellCheck={false} />
          </label>
        )}
      </div>
      {state.cmp === 'slowfast' && slowFast.data?.service && (
        <div className="mb-3 grid gap-2 text-xs sm:grid-cols-2" data-testid="slow-fast-requests">
          {(['slow', 'fast'] as const).map((side) => (
            <div key={side}>
              <p className="font-semibold text-muted">
                {side === 'slow' ? 'Slowest' : 'Fastest'} · {slowFast.data![side].spanIds} spans
              </p>
              <ul className="flex flex-wrap gap-x-3">
                {slowFast.data![side].requests.map((r) => (
                  <li key={r.traceId}>
                    <button type="button" className="font-mono text-accent underline-offset-2 hover:underline" onClick={() => update({ trace: r.traceId, span: r.spanId })}>
                      {formatLatencyMs(r.durationMs)}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      )}
      <QueryState q={q} empty={empty} testId="profiles">
        {flame && (
        <FlameGraph
          flame={flame}
          unit={unit}
          zoomPath={state.zoom}
          onZoomPathChange={(zoom) => update({ zoom })}
          search={state.fq}
          onSearchChange={(fq) => update({ fq }, 'replace')}
          selectedFunction={state.fn}
          onSelectedFunctionChange={(fn) => update({ fn })}
          layout="below"
          maxHeight={420}
          topFunctionsLimit={25}
        />
        )}
      </QueryState>
    </Panel>
  );
}
