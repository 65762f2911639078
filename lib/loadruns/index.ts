// The process-wide load-run service the route handlers use.
import { config } from '@/lib/config';
import { prisma } from '@/lib/db';
import { loadTargets } from '@/lib/targets';
import { LoadRunService } from './service';

export { LoadRunService, MAX_ACTIVE_RUNS, TooManyActiveRuns, type RunEvent } from './service';
export { invalid, notFound, parseCreateRun, RunId } from './schema';
export { runEventStream } from './events';
export { listRuns, getRun, INTERRUPTED, type RunView, type RunSummary, type RunStatus } from './store';
export { fromColumns, type SampleColumns, type SampleRow } from './samples';

// One registry per server process, even when Next.js loads this module once per route bundle.
const g = globalThis as unknown as { __trisightLoadRuns?: LoadRunService };

export function loadRuns(): LoadRunService {
  g.__trisightLoadRuns ??= new LoadRunService({
    db: prisma(),
    targets: () => loadTargets(config()),
    log: (m) => console.warn(m),
  });
  return g.__trisightLoadRuns;
}
