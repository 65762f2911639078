// CPU backend: the transformer forward pass in plain TypeScript on the calling
// thread (so a CPU profile of the main thread shows the kernels by name).
// Scratch buffers are sized once (and grown only for a larger batch than seen
// before), so decoding allocates nothing per token beyond the returned logits.

import { type ModelConfig, headDim, kvDim, qkvDim } from '../model/config';
import { paramCount, type Weights } from '../model/weights';
import { attention, type AttentionShape } from '../kernels/cpu/attention';
import { embedding } from '../kernels/cpu/embedding';
import { kvStore } from '../kernels/cpu/kv-store';
import { matmul } from '../kernels/cpu/matmul';
import { residualAdd } from '../kernels/cpu/residual';
import { rmsnorm } from '../kernels/cpu/rmsnorm';
import { rope, ropeTable, type RopeTable } from '../kernels/cpu/rope';
import { swiglu } from '../kernels/cpu/swiglu';
import type { BackendInfo, ModelRunner, RunnerMemory, SeqHandle } from './types';
import { SequenceSlots, SequenceTable } from './sequences';
import { MatmulHelper } from './cpu-threads';

/**
 * Prompt tokens per forward pass; between chunks prefill yields to the event
 * loop. The matmul reuses weights across pairs of rows only, so short chunks
 * cost little throughput, and they bound how long the server's thread is busy
 * (~4 tokens of the 25M-parameter model take about as long as 16 of the 1M one).
 */
function prefillChunk(params: number): number {
  return params > 5e6 ? 4 : 16;
}

/**
 * Matrix products smaller than this many multiply-adds stay on one thread: a
 * hand-off costs tens of µs (more once the helper has gone to sleep), and
 * 2^18 multiply-adds are ~150 µs of work. With it, the tiny model's decode
 * stays single-threaded and the small model splits every layer's products.
 */
const SPLIT_MIN_MACS = 1 << 18;

export interface CpuRunnerOptions {
  /**
   * 1 (default): everything on the calling thread, so a CPU profile of the
   * main thread shows the kernels. 2: a helper thread computes half of every
   * large matrix product over shared memory (needs no other change by callers).
   */
  threads?: 1 | 2;
}

function floats(n: number, shared: boolean): Float32Array {
  return new Float32Array(shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
}

class Scratch {
  x: Float32Array; // residual stream [rows][dim]
  xb: Float32Array; // normed input / attention output [rows][dim]
  xb2: Float32Array; // projection output [rows][dim]
  qkv: Float32Array; // [rows][qkvDim]
  gu: Float32Array; // [rows][2·hidden]
  h: Float32Array; // [rows][hidden]
  logits: Float32Array; // [rows][vocab]
  tokens: Int32Array;
  constructor(readonly rows: number, c: ModelConfig, shared: boolean) {
    this.x = floats(rows * c.dim, shared);
    this.xb = floats(rows * c.dim, shared);
    this.xb2 = floats(rows * c.dim, shared);
    this.qkv = floats(rows * qkvDim(c), shared);
    this.gu = floats(rows * 2 * c.hiddenDim, shared);
    this.h = floats(rows * c.hiddenDim, shared);
    this.logits = floats(rows * c.vocabSize, shared);
    this.tokens = new Int32Array(rows);
  }

  /** the buffers a helper thread reads or writes */
  shared(): Float32Array[] {
    return [this.x, this.xb, this.xb2, this.qkv, this.gu, this.h, this.logits];
  }
}

export class CpuRunner extends SequenceSlots<Float32Array> implements ModelRunner {
  readonly info: BackendInfo;
  private readonly c: ModelConfig;
  private readonly w: Float32Array;
  private readonly rope: RopeTable;
  private readonly shape: AttentionShape;
  private readonly scores: Float32Array;
  protected readonly seqs: SequenceTable<Float32Array>;
  private scratch: Scratch;
  /** per forward-pass row: its sequence's KV cache and position */
  private rowCache: Float32Array[] = [];
  private rowPos = new Int32Array(0);
  private readonly layerStride: number;
  private readonly kvStride: number;
  private readonly helper: MatmulHelper | null;
  private readonly chunk: number;

  /** Single-threaded runner; use `CpuRunner.create` for the two-thread mode. */
  constructor(
    private readonly weights: Weights,
    preset: string,
    helper: MatmulHelper | null = null,
  ) {
    super();
    const c = weights.config;
    this.c = c;
    this.w = weights.data;
    this.helper = helper;
    const threads = helper ? 2 : 1;
    this.rope = ropeTable(c.maxSeqLen, headDim(c), c.ropeTheta);
    this.shape = { nHeads: c.nHeads, nKvHeads: c.nKvHeads, headDim: headDim(c) };
    this.scores = new Float32Array(c.maxSeqLen);
    // KV cache of one sequence: [layer][K | V][position][kvDim]
    this.kvStride = c.maxSeqLen * kvDim(c);
    this.layerStride = 2 * this.kvStride;
    this.seqs = new SequenceTable(c.maxSeqLen, () => new Float32Array(c.nLayers * this.layerStride));
    this.chunk = prefillChunk(weights.data.length);
    this.scratch = new Scratch(this.chunk, c, this.helper !== null);
    this.helper?.setBuffers(this.scratch.shared());
    this.info = {
      backend: 'cpu',
      preset,
      params: paramCount(c),
      vocabSize: c.vocabSize,
      maxSeqLen: c.maxSeqLen,
      layers: c.nLayers,
      threads,
      kvBytesPerPosition: c.nLayers * 2 * kvDim(c) * 4,
    };
  }

  memory(): RunnerMemory {
    // every allocated cache is nLayers·layerStride floats, whatever it holds
    const n = this.seqs.allocated();
    return { kvBytesPerPosition: this.info.kvBytesPerPosition, kvReservedBytes: n * this.c.nLayers * this.layerStride * 4, kvAllocations: n, kvOnHost: true };
  }

  static async create(weights: Weights, preset: string, opts: CpuRunnerOptions = {}): Promise<CpuRunner> {
    if ((opts.threads ?? 1) === 1) return new CpuRunner(weights, preset);
    let shared = weights;
    if (!(weights.data.buffer instanceof SharedArrayBuffer)) {
      const data = floats(weights.data.length, true);
      data.set(weights.data);
      shared = { ...weights, data };
    }
    return new CpuRunner(shared, preset, await MatmulHelper.start(shared.data));
  }

  protected copyKv(src: Float32Array, dst: Float32Array, n: number): void {
    const len = n * kvDim(this.c);
    for (let l = 0; l < this.c.nLayers; l++) {
      for (const part of [0, this.kvStride]) {
        const off = l * this.layerStride + part;
        dst.set(src.subarray(off, off + len), off);
      }
    }
  }

  async prefill(seq: SeqHandle, tokens: Int32Array): Promise<Float32Array> {
    const cache = this.seqs.get(seq);
    this.seqs.checkAppend(seq, tokens, this.c.vocabSize);
    if (tokens.length === 0) throw new RangeError('prefill needs at least one token');
    let logits: Float32Array | undefined;
    for (let start = 0; start < tokens.length; start += this.chunk) {
      if (start > 0) await new Promise<void>((r) => setImmediate(r)); // let the server answer between chunks
      const n = Math.min(this.chunk, tokens.length - start);
      this.ensureRows(n);
      for (let r = 0; r < n; r++) {
        this.scratch.tokens[r] = tokens[start + r];
        this.rowCache[r] = cache;
        this.rowPos[r] = seq.length + r;
      }
      const last = start + n === tokens.length;
      this.forward(n, last ? n - 1 : n);
      seq.length += n;
      if (last) logits = this.scratch.logits.slice(0, this.c.vocabSize);
    }
    return logits!;
  }

  async decode(batch: { seq: SeqHandle; token: number }[]): Promise<Float32Array[]> {
    const n = batch.length;
    if (n === 0) return [];
    this.seqs.checkDecodeBatch(batch, this.c.vocabSize);
    this.ensureRows(n);
    for (let r = 0; r < n; r++) {
      this.scratch.tokens[r] = batch[r].token;
      this.rowCache[r] = this.seqs.get(batch[r].seq);
      this.rowPos[r] = batch[r].seq.length;
    }
    this.forward(n, 0);
    const V = this.c.vocabSize;
    const out: Float32Array[] = [];
    for (let r = 0; r < n; r++) {
      batch[r].seq.length++;
      out.push(this.scratch.logits.slice(r * V, (r + 1) * V));
    }
    return out;
  }

  async dispose(): Promise<void> {
    this.seqs.clear();
    await this.helper?.terminate();
  }

  private ensureRows(n: number): void {
    if (n > this.scratch.rows) {
      this.scratch = new Scratch(n, this.c, this.helper !== null);
      this.helper?.setBuffers(this.scratch.shared());
    }
    if (n > this.rowPos.length) this.rowPos = new Int32Array(n);
  }

  /** Y = X·Wᵀ, on this thread or split with the helper thread. */
  private mm(y: Float32Array, x: Float32Array, rows: number, wOff: number, inDim: number, outDim: number): void {
    const h = this.helper;
    if (!h || rows * inDim * outDim < SPLIT_MIN_MACS) {
      matmul(y, x, rows, this.w, wOff, inDim, outDim);
      return;
    }
    h.matmul(y, x, rows, this.w, wOff, inDim, outDim);
  }

  /**
   * Runs `rows` tokens (scratch.tokens, at rowPos in rowCache) through every
   * layer, appending their K/V; logits for rows ≥ firstLogitRow land in
   * scratch.logits (row 0 onwards).
   */
  private forward(rows: number, firstLogitRow: number): void {
    const c = this.c;
    const s = this.scratch;
    const w = this.w;
    const L = this.weights.layout;
    const dim = c.dim;
    const kvd = kvDim(c);
    const qd = qkvDim(c);
    const hd = headDim(c);
    embedding(s.x, w, L.tokEmbedding.offset, s.tokens, rows, dim);
    for (let l = 0; l < c.nLayers; l++) {
      const ly = L.layers[l];
      rmsnorm(s.xb, s.x, w, ly.attnNorm.offset, rows, dim, c.normEps);
      this.mm(s.qkv, s.xb, rows, ly.wqkv.offset, dim, qd);
      const kBase = l * this.layerStride;
      const vBase = kBase + this.kvStride;
      for (let r = 0; r < rows; r++) {
        const q = r * qd;
        const pos = this.rowPos[r];
        rope(s.qkv, q, c.nHeads, hd, pos, this.rope);
        rope(s.qkv, q + dim, c.nKvHeads, hd, pos, this.rope);
        kvStore(this.rowCache[r], kBase, vBase, pos, s.qkv, q, dim, kvd);
      }
      // all rows' K/V are in place before any row attends (prefill rows see earlier rows)
      for (let r = 0; r < rows; r++) {
        attention(s.xb, r * dim, s.qkv, r * qd, this.rowCache[r], kBase, vBase, this.rowPos[r] + 1, this.shape, this.scores);
      }
      this.mm(s.xb2, s.xb, rows, ly.wo.offset, dim, dim);
      residualAdd(s.x, s.xb2, rows * dim);
      rmsnorm(s.xb, s.x, w, ly.mlpNorm.offset, rows, dim, c.normEps);
      this.mm(s.gu, s.xb, rows, ly.w13.offset, dim, 2 * c.hiddenDim);
      swiglu(s.h, s.gu, rows, c.hiddenDim);
      this.mm(s.xb2, s.h, rows, ly.w2.offset, c.hiddenDim, dim);
      residualAdd(s.x, s.xb2, rows * dim);
    }
    const n = rows - firstLogitRow;
    const xs = s.x.subarray(firstLogitRow * dim, rows * dim);
    rmsnorm(s.xb, xs, w, L.finalNorm.offset, n, dim, c.normEps);
    this.mm(s.logits, s.xb, n, L.lmHead.offset, dim, c.vocabSize);
  }
}
