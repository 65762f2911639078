import type { BenchmarkReport, Stat } from '@/lib/loadgen/report';
import { ms, pct, rate } from '@/components/ui/format';
import { Table } from '@/components/ui/Table';

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
      <Table
        caption="Throughput"
        hideHeader
        rows={rows}
        rowKey={([k]) => k}
        columns={[
          { header: 'Measure', rowHeader: true, className: 'pr-4', cell: ([k]) => k },
          { header: 'Value', numeric: true, cell: ([, v]) => v },
        ]}
      />
      <Table
        caption="Latency, milliseconds"
        rows={lat}
        rowKey={([k]) => k}
        columns={[
          { header: 'ms', rowHeader: true, className: 'pr-4', cell: ([k]) => k },
          { header: 'Mean', numeric: true, cell: ([, s]) => ms(s?.mean) },
          { header: 'Median', numeric: true, cell: ([, s]) => ms(s?.median) },
          { header: 'P99', numeric: true, cell: ([, s]) => ms(s?.p99) },
        ]}
      />
    </div>
  );
}
