// load_run rows: the only place that reads or writes them.
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { LoadParams } from '@/lib/loadgen/params';
import type { BenchmarkReport } from '@/lib/loadgen/report';
import type { StopReason } from '@/lib/loadgen/run';
import type { SampleColumns } from './samples';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Stored in load_run.summary once a run ends with results. */
export interface RunSummary {
  report: BenchmarkReport;
  stopReason: StopReason;
  /** requests stopped by cancel or the time cap */
  aborted: number;
  /** the run's window in unix ms: first request sent → last response ended */
  window: { startMs: number; endMs: number };
  /** client spans stored with the run (one per request whose trace the server kept); null: none recorded (no trace store to send them to) */
  clientSpans?: number | null;
}

/** A run as the API returns it. */
export interface RunView {
  id: string;
  target: string;
  params: LoadParams;
  status: RunStatus;
  error: string | null;
  model: string | null;
  /** who fired it (the viewer's name; `local` with sign-in off); null for runs from before sign-in existed */
  createdBy: string | null;
  summary: RunSummary | null;
  done: number;
  failed: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  samples?: SampleColumns | null;
}

type Row = Awaited<ReturnType<PrismaClient['loadRun']['findFirstOrThrow']>>;

function view(r: Omit<Row, 'samples'> & { samples?: Row['samples'] }): RunView {
  return {
    id: r.id,
    target: r.target,
    params: r.params as unknown as LoadParams,
    status: r.status,
    error: r.error,
    model: r.model,
    createdBy: r.createdBy,
    summary: (r.summary as unknown as RunSummary | null) ?? null,
    done: r.done,
    failed: r.failed,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    ...(r.samples !== undefined ? { samples: (r.samples as unknown as SampleColumns | null) ?? null } : {}),
  };
}

export async function createRun(db: PrismaClient, target: string, params: LoadParams, createdBy: string | null = null): Promise<RunView> {
  return view(await db.loadRun.create({ data: { target, params: params as object, createdBy }, omit: { samples: true } }));
}

export async function markRunning(db: PrismaClient, id: string): Promise<void> {
  await db.loadRun.update({ where: { id }, data: { status: 'running', startedAt: new Date() } });
}

/** The model and first-request time, once the generator knows them. */
export async function saveStart(db: PrismaClient, id: string, model: string, startedAt: Date): Promise<void> {
  await db.loadRun.updateMany({ where: { id, status: 'running' }, data: { model, startedAt } });
}

/** Progress counters while running; a row that already ended is left alone. */
export async function saveProgress(db: PrismaClient, id: string, done: number, failed: number): Promise<void> {
  await db.loadRun.updateMany({ where: { id, status: 'running' }, data: { done, failed } });
}

export interface RunEnd {
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>;
  error?: string | null;
  model?: string | null;
  summary?: RunSummary | null;
  samples?: SampleColumns | null;
  done: number;
  failed: number;
}

export async function finishRun(db: PrismaClient, id: string, end: RunEnd): Promise<void> {
  await db.loadRun.update({
    where: { id },
    data: {
      status: end.status,
      error: end.error ?? null,
      model: end.model ?? undefined,
      summary: (end.summary as object | null | undefined) ?? undefined,
      samples: (end.samples as object | null | undefined) ?? undefined,
      done: end.done,
      failed: end.failed,
      finishedAt: new Date(),
    },
  });
}

export async function getRun(db: PrismaClient, id: string, opts: { samples?: boolean } = {}): Promise<RunView | null> {
  const r = await db.loadRun.findUnique({ where: { id }, omit: { samples: !opts.samples } });
  return r ? view(r) : null;
}

/** Newest first, without the per-request samples. */
export async function listRuns(db: PrismaClient, limit = 50): Promise<RunView[]> {
  const rows = await db.loadRun.findMany({ orderBy: { createdAt: 'desc' }, take: limit, omit: { samples: true } });
  return rows.map(view);
}

export const INTERRUPTED = 'interrupted by restart';

/** Runs a previous process left queued or running can never finish: mark them failed. */
export async function failInterruptedRuns(db: PrismaClient, createdBefore: Date): Promise<number> {
  const r = await db.loadRun.updateMany({
    where: { status: { in: ['queued', 'running'] }, createdAt: { lt: createdBefore } },
    data: { status: 'failed', error: INTERRUPTED, finishedAt: new Date() },
  });
  return r.count;
}
