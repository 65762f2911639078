import type { StatusReport } from '@/lib/slo/status';

/** Says when SLO numbers cannot come from Prometheus, and the fix. Nothing when all is well. */
export function PrometheusNotice({ report }: { report: Pick<StatusReport, 'prometheus' | 'prometheusNote' | 'deployment'> }) {
  if (report.prometheus === 'ok' && report.deployment !== 'remote') return null;
  const text =
    report.prometheus !== 'ok'
      ? report.prometheusNote
      : 'PROMETHEUS_URL points at a Prometheus that Trisight does not run, so Trisight never writes rules to it: download each SLO’s rule file (or all of them) and add it to that Prometheus’ rule_files. Until then the numbers here come from live queries and no alert is evaluated.';
  return (
    <div role="status" data-testid="prometheus-notice" className={`rounded-md border p-3 text-sm ${report.prometheus === 'ok' ? 'border-line bg-panel text-muted' : 'border-warn/50 bg-warn/5 text-fg'}`}>
      {text}
    </div>
  );
}

/** Says when Tempo could not count the trace-based SLIs, with what it answered and the fix. Nothing when all is well. */
export function TempoNotice({ note }: { note?: string }) {
  if (!note) return null;
  return (
    <div role="status" data-testid="tempo-notice" className="rounded-md border border-warn/50 bg-warn/5 p-3 text-sm text-fg">
      {note}
    </div>
  );
}
