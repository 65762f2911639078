// A deterministic stand-in for a compute backend, for scheduler logic tests only:
// the "model" always predicts (last token + 1) mod vocab, and every call advances
// a fake clock so deadlines are reproducible. It records what the scheduler asked.
import type { ModelRunner, RunnerMemory, SeqHandle, WorkTag } from '../../../workers/sandbox/runtime/types';

export class FakeRunner implements ModelRunner {
  readonly info = { backend: 'cpu' as const, preset: 'fake', params: 0, vocabSize: 32, maxSeqLen: 64, layers: 3, kvBytesPerPosition: 100 };
  clock = 0;
  stepMs = 10;
  allocs = 0;
  frees = 0;
  prefills: number[][] = [];
  copies: { from: number; to: number; n: number }[] = [];
  decodeBatches: number[][] = [];
  /** called synchronously at the start of each compute call (to observe profile labels and work tags) */
  onCompute?: (kind: 'prefill' | 'decode', seqIds: number[], tag?: WorkTag) => void;
  private nextId = 1;
  private caches = new Map<number, number[]>();

  allocSequence(): SeqHandle {
    this.allocs++;
    const s = { id: this.nextId++, length: 0 };
    this.caches.set(s.id, []);
    return s;
  }
  freeSequence(seq: SeqHandle): void {
    if (!this.caches.delete(seq.id)) throw new Error(`double free of sequence ${seq.id}`);
    this.frees++;
  }
  copyPrefix(from: SeqHandle, to: SeqHandle, n: number): void {
    this.copies.push({ from: from.id, to: to.id, n });
    this.caches.set(to.id, this.caches.get(from.id)!.slice(0, n));
    to.length = n;
  }
  private logitsFor(token: number): Float32Array {
    const l = new Float32Array(this.info.vocabSize);
    l[(token + 1) % this.info.vocabSize] = 1;
    return l;
  }
  memory(): RunnerMemory {
    // one fixed-size cache per live sequence
    return { kvBytesPerPosition: this.info.kvBytesPerPosition, kvReservedBytes: this.caches.size * this.info.maxSeqLen * this.info.kvBytesPerPosition, kvAllocations: this.caches.size, kvOnHost: true };
  }
  async prefill(seq: SeqHandle, tokens: Int32Array, tag?: WorkTag): Promise<Float32Array> {
    this.onCompute?.('prefill', [seq.id], tag);
    this.clock += this.stepMs;
    this.prefills.push([...tokens]);
    this.caches.get(seq.id)!.push(...tokens);
    seq.length += tokens.length;
    return this.logitsFor(tokens[tokens.length - 1]);
  }
  async decode(batch: { seq: SeqHandle; token: number }[], tag?: WorkTag): Promise<Float32Array[]> {
    this.onCompute?.('decode', batch.map((b) => b.seq.id), tag);
    this.clock += this.stepMs;
    this.decodeBatches.push(batch.map((b) => b.seq.id));
    return batch.map((b) => {
      this.caches.get(b.seq.id)!.push(b.token);
      b.seq.length++;
      return this.logitsFor(b.token);
    });
  }
  async dispose(): Promise<void> {}
}

export const argmax = (l: Float32Array): number => {
  let best = 0;
  for (let i = 1; i < l.length; i++) if (l[i] > l[best]) best = i;
  return best;
};
