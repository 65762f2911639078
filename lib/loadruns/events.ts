// A run's events as a server-sent-events byte stream (the events route's body).
import type { LoadRunService, RunEvent } from './service';

const HEARTBEAT_MS = 15_000;

function frame(e: RunEvent): string {
  const { type, ...data } = e;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** null when the run does not exist; closes after `end` or when `signal` aborts. */
export async function runEventStream(svc: LoadRunService, id: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array> | null> {
  await svc.recoverInterrupted();
  if (!(await runExists(svc, id))) return null;
  const enc = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start: async (ctrl) => {
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        try {
          ctrl.close();
        } catch {}
      };
      const send = (e: RunEvent) => {
        if (closed) return;
        ctrl.enqueue(enc.encode(frame(e)));
        if (e.type === 'end') close();
      };
      const unsubscribe = svc.subscribe(id, send);
      const heartbeat = setInterval(() => !closed && ctrl.enqueue(enc.encode(': keep-alive\n\n')), HEARTBEAT_MS);
      const onAbort = () => close();
      cleanup = () => {
        unsubscribe?.();
        clearInterval(heartbeat);
        signal.removeEventListener('abort', onAbort);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (!unsubscribe) {
        // Not active in this process: it ended (or was interrupted); say how, from the row.
        const run = await svc.get(id);
        if (run) send({ type: 'end', status: run.status, error: run.error });
        close();
      }
    },
    cancel: () => cleanup(),
  });
}

export async function runExists(svc: LoadRunService, id: string): Promise<boolean> {
  return svc.isActive(id) || (await svc.get(id)) !== null;
}
