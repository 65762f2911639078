// Bounded ingest: at most INGEST_MAX_CONCURRENT telemetry pushes are read,
// decoded and stored at once (a 64 MB decoded OTLP body costs hundreds of MB
// while it is turned into spans). A push that finds every slot taken waits a
// little in a short queue, so ordinary bursts are absorbed; past that it gets
// 429 with Retry-After, which OTLP exporters honour and retry.

export interface Slots {
  /** Runs `work` in a slot; null (without running it) when none frees up in time. */
  run<T>(work: () => Promise<T>): Promise<T | null>;
  readonly active: number;
  readonly waiting: number;
}

export function createSlots(opts: { max: number; maxWaiting: number; maxWaitMs: number }): Slots {
  let active = 0;
  const queue: { grant: () => void; timer: NodeJS.Timeout }[] = [];
  const release = () => {
    const next = queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.grant(); // the slot passes straight to the next waiter
    } else active--;
  };
  const acquire = (): Promise<boolean> => {
    if (active < opts.max) {
      active++;
      return Promise.resolve(true);
    }
    if (queue.length >= opts.maxWaiting) return Promise.resolve(false);
    return new Promise((resolve) => {
      const entry = {
        grant: () => resolve(true),
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(entry), 1);
          resolve(false);
        }, opts.maxWaitMs),
      };
      queue.push(entry);
    });
  };
  return {
    async run(work) {
      if (!(await acquire())) return null;
      try {
        return await work();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}

const g = globalThis as unknown as { __trisightIngestSlots?: Slots };

/** The process's ingest slots (shared by /v1/traces and /ingest). */
export function ingestSlots(max: number): Slots {
  g.__trisightIngestSlots ??= createSlots({ max, maxWaiting: max * 4, maxWaitMs: 5_000 });
  return g.__trisightIngestSlots;
}

/** Runs a receiver in an ingest slot; 429 + Retry-After when the app is saturated. */
export async function withIngestSlot(max: number, receive: () => Promise<Response>): Promise<Response> {
  const res = await ingestSlots(max).run(receive);
  return (
    res ??
    Response.json(
      { code: 8, message: `ingest is saturated (${max} pushes at once, INGEST_MAX_CONCURRENT): retry after 1 s` },
      { status: 429, headers: { 'retry-after': '1' } },
    )
  );
}
