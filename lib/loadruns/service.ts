// The lifecycle of load runs inside the app's server process: record → run the
// bounded generator → publish progress → persist the report. Active runs live in a
// module-level registry; a restart loses them, so rows they left behind are failed.
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { LoadTarget } from '@/lib/targets';
import type { LoadParams } from '@/lib/loadgen/params';
import type { LiveStats } from '@/lib/loadgen/report';
import { runLoad } from '@/lib/loadgen/run';
import { toColumns } from './samples';
import { createRun, failInterruptedRuns, finishRun, getRun, markRunning, saveProgress, saveStart, type RunStatus, type RunView } from './store';

export type RunEvent =
  | { type: 'progress'; stats: LiveStats }
  | { type: 'end'; status: RunStatus; error: string | null };

type Listener = (e: RunEvent) => void;

interface ActiveRun {
  controller: AbortController;
  latest: LiveStats | null;
  listeners: Set<Listener>;
  finished: Promise<void>;
}

/** Runs that may go on at once in one app process: each is bounded, and so is their number. */
export const MAX_ACTIVE_RUNS = 4;

export class TooManyActiveRuns extends Error {
  constructor(readonly limit: number) {
    super(`${limit} load runs are already running; wait for one to finish or cancel one`);
  }
}

export interface LoadRunDeps {
  db: PrismaClient;
  targets: () => LoadTarget[];
  /** where a run's client spans go (a fresh exporter per run); null or absent: none recorded */
  clientSpanExporter?: () => SpanExporter | null;
  /** default MAX_ACTIVE_RUNS */
  maxActiveRuns?: number;
  /** how often progress reaches subscribers */
  progressIntervalMs?: number;
  /** how often done/failed counters are written to the row */
  persistIntervalMs?: number;
  log?: (msg: string) => void;
  /**
   * Called before a run's first request: waits (bounded) for Prometheus to scrape
   * the target, so the run's server counts can start from a scrape before it.
   */
  beforeLoad?: (target: LoadTarget, signal: AbortSignal) => Promise<void>;
}

export class LoadRunService {
  private readonly active = new Map<string, ActiveRun>();
  private readonly createdAt = new Date();
  private recovered: Promise<number> | undefined;

  constructor(private readonly deps: LoadRunDeps) {}

  /** Fails runs an earlier process left running; once per service, before anything else. */
  recoverInterrupted(): Promise<number> {
    this.recovered ??= failInterruptedRuns(this.deps.db, this.createdAt).then((n) => {
      if (n) this.deps.log?.(`load runs: ${n} run(s) interrupted by restart marked failed`);
      return n;
    });
    return this.recovered;
  }

  targetNames(): string[] {
    return this.deps.targets().map((t) => t.name);
  }

  /** Records the run (and who fired it: a viewer's name) and starts it; returns once the row exists (the run goes on). */
  async start(targetName: string, params: LoadParams, createdBy: string | null = null): Promise<RunView> {
    await this.recoverInterrupted();
    const target = this.deps.targets().find((t) => t.name === targetName);
    if (!target) throw new Error(`unknown target ${JSON.stringify(targetName)}`);
    const limit = this.deps.maxActiveRuns ?? MAX_ACTIVE_RUNS;
    if (this.active.size >= limit) throw new TooManyActiveRuns(limit);
    const run = await createRun(this.deps.db, target.name, params, createdBy);
    const a: ActiveRun = { controller: new AbortController(), latest: null, listeners: new Set(), finished: Promise.resolve() };
    this.active.set(run.id, a);
    a.finished = this.execute(run.id, a, target, params).finally(() => this.active.delete(run.id));
    return run;
  }

  private emit(a: ActiveRun, e: RunEvent) {
    for (const l of a.listeners) {
      try {
        l(e);
      } catch {
        // A subscriber that throws (a closed stream) must not stop the run.
      }
    }
  }

  private async execute(id: string, a: ActiveRun, target: LoadTarget, params: LoadParams): Promise<void> {
    const { db } = this.deps;
    // Row writes are chained so a late progress write never lands after the final one.
    let writes: Promise<unknown> = Promise.resolve();
    let writing = false;
    let lastWrite = 0;
    const persistEvery = this.deps.persistIntervalMs ?? 1000;
    let status: 'succeeded' | 'failed' | 'cancelled' = 'failed';
    let error: string | null = null;
    try {
      await markRunning(db, id);
      await this.deps.beforeLoad?.(target, a.controller.signal);
      const exporter = this.deps.clientSpanExporter?.() ?? null;
      const result = await runLoad({
        baseUrl: target.url,
        targetName: target.name,
        clientSpans: exporter ? { exporter, resource: { 'trisight.load_run.id': id } } : undefined,
        params,
        sendPriority: target.preset.acceptsPriority,
        signal: a.controller.signal,
        progressIntervalMs: this.deps.progressIntervalMs ?? 250,
        onStart: ({ model, startedAtMs }) => {
          writes = writes
            .then(() => saveStart(db, id, model, new Date(startedAtMs)))
            .catch((e) => this.deps.log?.(`load run ${id}: start write failed: ${(e as Error).message}`));
        },
        onProgress: (stats) => {
          a.latest = stats;
          this.emit(a, { type: 'progress', stats });
          const now = Date.now();
          if (!writing && now - lastWrite >= persistEvery) {
            writing = true;
            lastWrite = now;
            writes = writes
              .then(() => saveProgress(db, id, stats.done, stats.failed))
              .catch((e) => this.deps.log?.(`load run ${id}: progress write failed: ${(e as Error).message}`))
              .finally(() => (writing = false));
          }
        },
      });
      const { completed, failed } = result.report;
      status = result.stopReason === 'cancelled' ? 'cancelled' : completed === 0 && failed > 0 ? 'failed' : 'succeeded';
      if (status === 'failed') error = `All ${failed} request${failed === 1 ? '' : 's'} failed; first: ${result.samples.find((s) => !s.ok)?.error ?? 'unknown'}`;
      else if (result.stopReason === 'time-cap') error = `Stopped by the ${params.maxDurationS} s time cap; ${result.aborted} request${result.aborted === 1 ? '' : 's'} not completed.`;
      await writes;
      await finishRun(db, id, {
        status,
        error,
        model: result.model,
        summary: {
          report: result.report,
          stopReason: result.stopReason,
          aborted: result.aborted,
          window: { startMs: result.startedAtMs, endMs: result.finishedAtMs },
          clientSpans: exporter ? result.clientSpansExported : null,
        },
        samples: toColumns(result.samples, result.startedAtMs),
        done: result.report.completed,
        failed: result.report.failed,
      });
    } catch (e) {
      status = a.controller.signal.aborted ? 'cancelled' : 'failed';
      error = (e as Error).message ?? String(e);
      await writes;
      await finishRun(db, id, { status, error, done: a.latest?.done ?? 0, failed: a.latest?.failed ?? 0 }).catch((e2) =>
        this.deps.log?.(`load run ${id}: could not record its end: ${(e2 as Error).message}`),
      );
    } finally {
      this.emit(a, { type: 'end', status, error });
    }
  }

  isActive(id: string): boolean {
    return this.active.has(id);
  }

  /**
   * Subscribes to an active run's events; the latest progress is delivered at once.
   * Returns null when the run is not active here (finished, or never existed).
   */
  subscribe(id: string, listener: Listener): (() => void) | null {
    const a = this.active.get(id);
    if (!a) return null;
    a.listeners.add(listener);
    if (a.latest) listener({ type: 'progress', stats: a.latest });
    return () => a.listeners.delete(listener);
  }

  /** Stops an active run and waits until its end is recorded; false if it was not active. */
  async cancel(id: string): Promise<boolean> {
    const a = this.active.get(id);
    if (!a) return false;
    a.controller.abort();
    await a.finished;
    return true;
  }

  /** Waits for every active run (tests, graceful shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.active.values()].map((a) => a.finished));
  }

  /** Cancels every active run (shutdown). */
  async shutdown(): Promise<void> {
    for (const a of this.active.values()) a.controller.abort();
    await this.settle();
  }

  get(id: string, opts?: { samples?: boolean }) {
    return getRun(this.deps.db, id, opts);
  }
}
