// A TraceSource that withholds what is marked sensitive (lib/redaction/
// sensitivity.ts) from everyone but admins. traceSource() hands this out
// unless the caller says the viewer may see everything, so a new reader of
// traces is safe without having to remember it.
import { isSensitiveTagName, withholdSummary, withholdTrace, type SensitivityPolicy } from '@/lib/redaction/sensitivity';
import type { TraceSource } from './index';

export function withholdingSensitive(source: TraceSource, p: SensitivityPolicy): TraceSource {
  return {
    backend: source.backend,
    traceById: async (id, opts) => {
      const t = await source.traceById(id, opts);
      return t && withholdTrace(t, p);
    },
    search: async (params, opts) => {
      const r = await source.search(params, opts);
      return { ...r, traces: r.traces.map((t) => withholdSummary(t, p)) };
    },
    // Values of sensitive keys are not listed at all; the embedded store also
    // leaves out spans carrying the tag (Tempo's tag-values API cannot).
    tagValues: async (name, opts) => (isSensitiveTagName(name, p) ? [] : source.tagValues(name, { ...opts, withoutTag: p.tag })),
  };
}
