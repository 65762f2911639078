// Sequence slots shared by both backends: ids, per-sequence KV storage (kept
// in a free pool, so a steady load reuses memory instead of growing it), and
// the argument checks every backend makes before touching a cache.

import type { SeqHandle } from './types';

class Seq implements SeqHandle {
  length = 0;
  constructor(readonly id: number) {}
}

export class SequenceTable<Kv> {
  private nextId = 1;
  private readonly live = new Map<number, { handle: SeqHandle; kv: Kv }>();
  private readonly pool: Kv[] = [];

  constructor(
    readonly maxSeqLen: number,
    private readonly create: () => Kv,
  ) {}

  get size(): number {
    return this.live.size;
  }

  /** KV storages created so far: live ones and those pooled for reuse. */
  allocated(): number {
    return this.live.size + this.pool.length;
  }

  alloc(): SeqHandle {
    const handle = new Seq(this.nextId++);
    this.live.set(handle.id, { handle, kv: this.pool.pop() ?? this.create() });
    return handle;
  }

  free(seq: SeqHandle): void {
    const e = this.live.get(seq.id);
    if (!e) return; // freeing twice is harmless: deadlines and completion may race
    this.live.delete(seq.id);
    seq.length = 0;
    this.pool.push(e.kv);
  }

  get(seq: SeqHandle): Kv {
    const e = this.live.get(seq.id);
    if (!e || e.handle !== seq) throw new Error(`sequence ${seq.id} is not allocated`);
    return e.kv;
  }

  /** All KV storage, live and pooled (for dispose). */
  all(): Kv[] {
    return [...this.pool, ...[...this.live.values()].map((e) => e.kv)];
  }

  clear(): void {
    this.live.clear();
    this.pool.length = 0;
  }

  checkAppend(seq: SeqHandle, tokens: ArrayLike<number>, vocabSize: number): void {
    this.get(seq);
    if (seq.length + tokens.length > this.maxSeqLen) {
      throw new RangeError(`sequence ${seq.id}: ${seq.length} + ${tokens.length} tokens exceed maxSeqLen ${this.maxSeqLen}`);
    }
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (!Number.isInteger(t) || t < 0 || t >= vocabSize) throw new RangeError(`token ${t} is outside the vocabulary (0..${vocabSize - 1})`);
    }
  }

  checkDecodeBatch(batch: readonly { seq: SeqHandle; token: number }[], vocabSize: number): void {
    const seen = new Set<number>();
    for (const { seq, token } of batch) {
      this.get(seq);
      if (seen.has(seq.id)) throw new Error(`sequence ${seq.id} appears twice in one decode batch`);
      seen.add(seq.id);
      if (seq.length + 1 > this.maxSeqLen) throw new RangeError(`sequence ${seq.id} is full (maxSeqLen ${this.maxSeqLen})`);
      if (!Number.isInteger(token) || token < 0 || token >= vocabSize) throw new RangeError(`token ${token} is outside the vocabulary (0..${vocabSize - 1})`);
    }
  }

  checkPrefix(from: SeqHandle, to: SeqHandle, n: number): void {
    this.get(from);
    this.get(to);
    if (from === to) throw new Error('copyPrefix needs two different sequences');
    if (!Number.isInteger(n) || n < 0 || n > from.length) throw new RangeError(`prefix ${n} is longer than sequence ${from.id} (${from.length} tokens)`);
  }
}

/**
 * The sequence half of a ModelRunner, the same for both backends: slots come
 * from `seqs`; copying a prefix checks its arguments here and leaves only the
 * moving of KV data (`copyKv`) to the backend.
 */
export abstract class SequenceSlots<Kv> {
  protected abstract readonly seqs: SequenceTable<Kv>;

  /** Copies the first `n` positions of every layer's K and V from `src` to `dst`. */
  protected abstract copyKv(src: Kv, dst: Kv, n: number): void;

  allocSequence(): SeqHandle {
    return this.seqs.alloc();
  }

  freeSequence(seq: SeqHandle): void {
    this.seqs.free(seq);
  }

  copyPrefix(from: SeqHandle, to: SeqHandle, n: number): void {
    this.seqs.checkPrefix(from, to, n);
    this.copyKv(this.seqs.get(from), this.seqs.get(to), n);
    to.length = n;
  }
}
