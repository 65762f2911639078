// Optional second CPU thread for the CPU backend: a worker that computes the
// upper half of each matrix product's output rows while the calling thread
// computes the lower half. Weights and activations are SharedArrayBuffers, and
// the two threads meet through Atomics on a small control block, so a job
// costs no message passing or copying.

import { type MessageChannel as MC, MessageChannel, Worker } from 'node:worker_threads';
import { matmul } from '../kernels/cpu/matmul';

/** Control block slots (Int32). */
export const CTRL = {
  /** job sequence number, bumped by the caller to start a job */
  SEQ: 0,
  /** sequence number of the last finished job, set by the worker */
  DONE: 1,
  KIND: 2,
  Y: 3,
  X: 4,
  ROWS: 5,
  W_OFF: 6,
  IN_DIM: 7,
  OUT_DIM: 8,
  ROW_START: 9,
  ROW_END: 10,
  /** set by the worker when a job threw; the message goes over the port */
  FAILED: 11,
  SIZE: 16,
} as const;

export const JOB = { MATMUL: 1, BUFFERS: 2, EXIT: 3 } as const;

/** Spins this many polls before sleeping in Atomics.wait: a job is far shorter than a futex wake-up round trip. */
export const SPIN = 20000;

export class MatmulHelper {
  private readonly ctrl: Int32Array;
  private readonly worker: Worker;
  private readonly port: MC['port1'];
  private buffers: Float32Array[] = [];
  private seq = 0;

  private constructor(worker: Worker, ctrl: Int32Array, port: MC['port1']) {
    this.worker = worker;
    this.ctrl = ctrl;
    this.port = port;
  }

  /** Starts the helper thread and waits until it is ready for jobs. */
  static async start(weights: Float32Array): Promise<MatmulHelper> {
    if (!(weights.buffer instanceof SharedArrayBuffer)) throw new Error('two-thread mode needs weights in a SharedArrayBuffer');
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.SIZE * 4));
    const channel = new MessageChannel();
    // Workers do not inherit tsx's loader hooks, so the worker registers them
    // before importing the TypeScript entry.
    const entry = new URL('./cpu-worker.ts', import.meta.url).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: { ctrl, weights, port: channel.port2 }, transferList: [channel.port2] });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`CPU helper thread: unexpected ${String(m)}`))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`CPU helper thread exited with ${code} before it was ready`)));
    });
    worker.removeAllListeners();
    worker.on('error', (e) => console.error('sandbox CPU helper thread:', e));
    worker.unref(); // an idle helper must not keep the process alive
    channel.port1.unref();
    return new MatmulHelper(worker, ctrl, channel.port1);
  }

  /** Makes `list` the buffers jobs refer to by index (call again after reallocating scratch). */
  setBuffers(list: Float32Array[]): void {
    for (const b of list) if (!(b.buffer instanceof SharedArrayBuffer)) throw new Error('two-thread mode needs shared scratch buffers');
    this.buffers = list;
    this.port.postMessage(list);
    this.run(JOB.BUFFERS);
  }

  /**
   * Y = X·Wᵀ over output rows [0, outDim), split between this thread and the
   * helper at an even row (the kernel pairs rows) so the halves are equal.
   */
  matmul(y: Float32Array, x: Float32Array, rows: number, w: Float32Array, wOff: number, inDim: number, outDim: number): void {
    const mid = (outDim >> 2) << 1; // ~half, even
    const c = this.ctrl;
    c[CTRL.Y] = this.bufferIndex(y);
    c[CTRL.X] = this.bufferIndex(x);
    c[CTRL.ROWS] = rows;
    c[CTRL.W_OFF] = wOff;
    c[CTRL.IN_DIM] = inDim;
    c[CTRL.OUT_DIM] = outDim;
    c[CTRL.ROW_START] = mid;
    c[CTRL.ROW_END] = outDim;
    this.start(JOB.MATMUL);
    matmul(y, x, rows, w, wOff, inDim, outDim, 0, mid);
    this.finish();
  }

  private bufferIndex(b: Float32Array): number {
    const i = this.buffers.indexOf(b);
    if (i < 0) throw new Error('buffer not registered with the helper thread');
    return i;
  }

  async terminate(): Promise<void> {
    Atomics.store(this.ctrl, CTRL.KIND, JOB.EXIT);
    Atomics.store(this.ctrl, CTRL.SEQ, ++this.seq);
    Atomics.notify(this.ctrl, CTRL.SEQ);
    await this.worker.terminate();
    this.port.close();
  }

  private run(kind: number): void {
    this.start(kind);
    this.finish();
  }

  private start(kind: number): void {
    Atomics.store(this.ctrl, CTRL.KIND, kind);
    Atomics.store(this.ctrl, CTRL.SEQ, ++this.seq);
    Atomics.notify(this.ctrl, CTRL.SEQ);
  }

  private finish(): void {
    const c = this.ctrl;
    let spins = 0;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const done = Atomics.load(c, CTRL.DONE);
      if (done === this.seq) break;
      if (++spins > SPIN) {
        Atomics.wait(c, CTRL.DONE, done, 50);
        // a dead helper would otherwise hang the server's only thread forever
        if (Date.now() > deadline) throw new Error('CPU helper thread did not answer in 30 s');
      }
    }
    if (Atomics.load(c, CTRL.FAILED)) throw new Error('CPU helper thread failed (see its error output)');
  }
}
