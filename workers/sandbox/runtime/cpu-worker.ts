// The helper thread of the CPU backend's two-thread mode (see cpu-threads.ts):
// waits on the control block, runs its half of a matrix product, reports done.

import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { matmul } from '../kernels/cpu/matmul';
import { CTRL, JOB, SPIN } from './cpu-threads';

const { ctrl, weights, port } = workerData as { ctrl: Int32Array; weights: Float32Array; port: MessagePort };
let buffers: Float32Array[] = [];
let seen = 0;
parentPort!.postMessage('ready');

for (;;) {
  let spins = 0;
  while (Atomics.load(ctrl, CTRL.SEQ) === seen) {
    if (++spins > SPIN) Atomics.wait(ctrl, CTRL.SEQ, seen);
  }
  seen = Atomics.load(ctrl, CTRL.SEQ);
  const kind = ctrl[CTRL.KIND];
  if (kind === JOB.EXIT) break;
  try {
    if (kind === JOB.BUFFERS) {
      buffers = receiveMessageOnPort(port)?.message as Float32Array[];
    } else if (kind === JOB.MATMUL) {
      matmul(
        buffers[ctrl[CTRL.Y]],
        buffers[ctrl[CTRL.X]],
        ctrl[CTRL.ROWS],
        weights,
        ctrl[CTRL.W_OFF],
        ctrl[CTRL.IN_DIM],
        ctrl[CTRL.OUT_DIM],
        ctrl[CTRL.ROW_START],
        ctrl[CTRL.ROW_END],
      );
    }
  } catch (e) {
    console.error('sandbox CPU helper thread:', e);
    Atomics.store(ctrl, CTRL.FAILED, 1);
  }
  Atomics.store(ctrl, CTRL.DONE, seen);
  Atomics.notify(ctrl, CTRL.DONE);
}
