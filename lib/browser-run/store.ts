// Records a finished browser run as a load run, in one insert: the row
// appears in the run history already finished, never half-stored.
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { toColumns } from '@/lib/loadruns/samples';
import { buildReport, ItlPool } from '@/lib/loadgen/report';
import { BROWSER_TARGET, type BrowserRunBody } from './schema';

/** `createdBy`: who fired it (the viewer's name), as on a server run. */
export async function recordBrowserRun(db: PrismaClient, b: BrowserRunBody, createdBy: string | null = null): Promise<{ id: string }> {
  const samples = [...b.samples].sort((x, y) => x.index - y.index);
  const itl = new ItlPool();
  for (const s of samples) if (s.ok) for (const g of s.itlMs) itl.add(g);
  const report = buildReport(
    samples.map((s) => ({ ...s, itlMs: [] })),
    (b.finishedAtMs - b.startedAtMs) / 1000,
    b.params.slo,
    itl,
  );
  const status = b.stopReason === 'cancelled' ? 'cancelled' : report.completed === 0 && report.failed > 0 ? 'failed' : 'succeeded';
  const error =
    status === 'failed'
      ? `all ${report.failed} request(s) failed; first: ${samples.find((s) => !s.ok)?.error ?? 'unknown'}`
      : b.stopReason === 'time-cap'
        ? `stopped by the ${b.params.maxDurationS} s time cap; ${b.aborted} request(s) not completed`
        : null;
  const row = await db.loadRun.create({
    data: {
      target: BROWSER_TARGET,
      params: b.params as object,
      status,
      error,
      model: b.model,
      summary: { report, stopReason: b.stopReason, aborted: b.aborted, window: { startMs: b.startedAtMs, endMs: b.finishedAtMs }, adapter: b.adapter } as object,
      samples: toColumns(samples.map((s) => ({ ...s, itlMs: [] })), b.startedAtMs) as object,
      done: report.completed,
      failed: report.failed,
      startedAt: new Date(b.startedAtMs),
      finishedAt: new Date(b.finishedAtMs),
      createdBy,
    },
    select: { id: true },
  });
  return row;
}
