import type { BenchmarkReport, Stat } from '@/lib/loadgen/report';
import { ms, pct, rate } from '@/components/ui/format';

/** The run's report laid out as vLLM's benchmark_serving prints it. */
export function SummaryTable({ report }: { report: BenchmarkReport }) {
  const slo = [report.slo.ttftMs !== undefined && `TTFT ≤ ${report.slo.ttftMs} ms`, report.slo.tpotMs !== undefined && `TPOT ≤ ${report.slo.tpotMs} ms`, report.slo.e2eMs !== undefined && `E2E ≤ ${report.slo.e2eMs} ms`]
    .filter(Boolean)
    .join(', ');
  const rows: [string, string][] = [
    ['Successful requests', String(report.completed)],
    ['Failed requests', String(report.failed)],
    ['Benchmark duration (s)', rate(report.durationS)],
    ['Total input tokens', String(report.totalInputTokens)],
    ['Total generated tokens', String(report.totalOutputTokens)],
    ['Request throughput (req/s)', rate(report.requestThroughput)],
    ...(report.goodput !== null ? ([[`Request goodput (req/s) — ${slo}`, `${rate(report.goodput)} (${pct(report.goodputRatio)})`]] as [string, string][]) : []),
    ['Output token throughput (tok/s)', rate(report.outputThroughput)],
    ['Total token throughput (tok/s)', rate(report.totalTokenThroughput)],
  ];
  const lat: [string, Stat | null][] = [
    ['TTFT', report.ttftMs],
    ['TPOT (excl. 1st token)', report.tpotMs],
    ['ITL', report.itlMs],
    ['E2E latency', report.e2eMs],
  ];
  return (
    <div className="grid gap-4 md:grid-cols-2" data-testid="run-summary">
      <table className="w-full text-sm">
        <caption className="sr-only">Throughput</caption>
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k} className="border-b border-line/60 last:border-0">
              <th scope="row" className="py-1 pr-4 text-left font-normal text-muted">
                {k}
              </th>
              <td className="py-1 text-right font-mono tabular-nums">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="w-full text-sm">
        <caption className="sr-only">Latency, milliseconds</caption>
        <thead>
          <tr className="border-b border-line text-xs text-muted">
            <th scope="col" className="py-1 text-left font-medium">
              ms
            </th>
            <th scope="col" className="py-1 text-right font-medium">
              Mean
            </th>
            <th scope="col" className="py-1 text-right font-medium">
              Median
            </th>
            <th scope="col" className="py-1 text-right font-medium">
              P99
            </th>
          </tr>
        </thead>
        <tbody>
          {lat.map(([k, s]) => (
            <tr key={k} className="border-b border-line/60 last:border-0">
              <th scope="row" className="py-1 pr-4 text-left font-normal text-muted">
                {k}
              </th>
              <td className="py-1 text-right font-mono tabular-nums">{ms(s?.mean)}</td>
              <td className="py-1 text-right font-mono tabular-nums">{ms(s?.median)}</td>
              <td className="py-1 text-right font-mono tabular-nums">{ms(s?.p99)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
