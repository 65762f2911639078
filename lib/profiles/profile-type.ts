// Profile type ids as Pyroscope's /ingest derives them for a pprof push, so a
// query written for Pyroscope (`process_cpu:cpu:nanoseconds:cpu:nanoseconds`,
// `goroutines:goroutine:count:goroutine:count`) finds the same data here.
//
// Pyroscope (pkg/og/convert/pprof/profile.go, pkg/phlaredb/labels/labels.go):
// - the profile *name* (`__name__`) comes from the sample types: `wall` when
//   any sample type is `wall`; otherwise the first sample type whose name — or
//   the `display-name` its sample_type_config gives it — contains `cpu`
//   (process_cpu), `alloc_` / `inuse_` or is `space` / `objects` (memory),
//   `mutex_` (mutex), `block_` (block) or `goroutines` (goroutines); failing
//   all, the last sample type's (display) name. A push's sample_type_config
//   replaces the default mapping (Pyroscope's DefaultSampleTypeMapping) whole.
// - each sample type is its own profile type:
//   `<name>:<sample type>:<sample unit>:<period type>:<period unit>`, every
//   part as the pprof's string table has it (display names do not rename
//   sample types; units are not converted).
// - .NET pushes (spyName dotnetspy, or "unknown" with an `inuse-space` entry
//   in the config) have `-` in sample type names replaced by `_`.
import type { ProfileType } from '@/lib/model/types';

/** sample_type_config: per sample type, how Pyroscope should treat it. */
export type SampleTypeConfig = Record<string, { 'display-name'?: string; units?: string; aggregation?: string; cumulative?: boolean; sampled?: boolean }>;

/** Pyroscope's DefaultSampleTypeMapping, display names only (the rest does not enter an id). */
export const DEFAULT_SAMPLE_TYPE_CONFIG: SampleTypeConfig = {
  samples: { 'display-name': 'cpu' },
  inuse_objects: {},
  alloc_objects: {},
  inuse_space: {},
  alloc_space: {},
  goroutine: { 'display-name': 'goroutines' },
  contentions: { 'display-name': 'mutex_count' },
  delay: { 'display-name': 'mutex_duration' },
};

/** The profile name (`__name__`) Pyroscope gives a push with these sample types. */
export function profileName(sampleTypes: readonly string[], config: SampleTypeConfig = DEFAULT_SAMPLE_TYPE_CONFIG): string {
  if (sampleTypes.includes('wall')) return 'wall';
  let st = '';
  for (const type of sampleTypes) {
    st = config[type]?.['display-name'] || type;
    if (st.includes('cpu')) return 'process_cpu';
    if (st.includes('alloc_') || st.includes('inuse_') || st === 'space' || st === 'objects') return 'memory';
    if (st.includes('mutex_')) return 'mutex';
    if (st.includes('block_')) return 'block';
    if (st.includes('goroutines')) return 'goroutines';
  }
  return st;
}

/** Whether Pyroscope treats a push as .NET's (and so fixes its sample type names). */
export function isDotnetPush(spyName: string | undefined, config: SampleTypeConfig | undefined): boolean {
  return spyName === 'dotnetspy' || (spyName === 'unknown' && config?.['inuse-space'] !== undefined);
}

export interface PushProfileTypes {
  /** one per sample type, in the pprof's order */
  types: ProfileType[];
  /** the sample type names as stored (after the .NET fix) */
  sampleTypes: string[];
}

/** The profile type of each sample type of a push. */
export function pushProfileTypes(
  p: { sampleTypes: readonly { type: string; unit: string }[]; periodType: { type: string; unit: string } },
  opts: { sampleTypeConfig?: SampleTypeConfig; spyName?: string } = {},
): PushProfileTypes {
  const dotnet = isDotnetPush(opts.spyName, opts.sampleTypeConfig);
  const sampleTypes = p.sampleTypes.map((t) => (dotnet ? t.type.replaceAll('-', '_') : t.type));
  const name = profileName(sampleTypes, opts.sampleTypeConfig ?? DEFAULT_SAMPLE_TYPE_CONFIG);
  const { type: periodType, unit: periodUnit } = p.periodType;
  const types = p.sampleTypes.map((t, i) => ({
    id: `${name}:${sampleTypes[i]}:${t.unit}:${periodType}:${periodUnit}`,
    name,
    sampleType: sampleTypes[i],
    sampleUnit: t.unit,
    periodType,
    periodUnit,
  }));
  return { types, sampleTypes };
}
