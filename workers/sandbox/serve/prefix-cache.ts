// Prefix KV cache: finished sequences keep their KV cache here (LRU, bounded by
// entry count) and a new request copies the longest shared prefix of its prompt
// from the best entry instead of recomputing it. Hit ratio is in tokens, like
// vLLM's prefix-cache hit rate: reused prompt tokens / prompt tokens looked up.
//
// Per transformer block, a retention policy may keep fewer positions of a cached
// entry (SANDBOX_KV_BLOCK_RETAIN, e.g. to spend less memory on blocks whose keys
// matter least). A block's hits are the matched positions it still held; a new
// request reuses only the positions *every* block held, because the hidden state
// of a position flows through all blocks: the block with the lowest hit rate
// bounds the reuse. With the default (every block keeps everything) all blocks
// show the same rate.
import type { SeqHandle } from '../runtime/types';

interface Entry {
  seq: SeqHandle;
  /** tokens whose keys and values are in seq's cache (length == seq.length) */
  tokens: Int32Array;
}

export interface PrefixMatch {
  seq: SeqHandle;
  /** positions reused: the shared prefix, cut to what every block retained */
  length: number;
}

export class PrefixCache {
  /** most recently used last */
  private entries: Entry[] = [];
  queriedTokens = 0;
  hitTokens = 0;
  /** per transformer block: prompt tokens looked up, and matched positions that block still held */
  readonly blockQueriedTokens: Float64Array;
  readonly blockHitTokens: Float64Array;

  constructor(
    /** returns a sequence's KV cache to the runner */
    private readonly free: (seq: SeqHandle) => void,
    readonly capacity: number,
    /** shorter shared prefixes are not worth a copy */
    readonly minTokens = 8,
    /** per block, the positions of a cached entry it keeps (Infinity: all); length = number of blocks */
    readonly blockRetain: readonly number[] = [Infinity],
  ) {
    this.blockQueriedTokens = new Float64Array(blockRetain.length);
    this.blockHitTokens = new Float64Array(blockRetain.length);
  }

  get size(): number {
    return this.entries.length;
  }

  /** KV positions held by cached entries. */
  cachedPositions(): number {
    let n = 0;
    for (const e of this.entries) n += e.seq.length;
    return n;
  }

  /**
   * Longest reusable prefix of `prompt`. At most prompt.length - 1 positions are
   * reused: the last prompt token must be run to get the next token's logits.
   */
  lookup(prompt: Int32Array): PrefixMatch | undefined {
    this.queriedTokens += prompt.length;
    for (let b = 0; b < this.blockRetain.length; b++) this.blockQueriedTokens[b] += prompt.length;
    let best: Entry | undefined;
    let bestLen = 0;
    const limit = prompt.length - 1;
    for (const e of this.entries) {
      const n = Math.min(limit, e.tokens.length);
      let i = 0;
      while (i < n && e.tokens[i] === prompt[i]) i++;
      if (i > bestLen) {
        bestLen = i;
        best = e;
      }
    }
    if (!best || bestLen < this.minTokens) return undefined;
    let reusable = bestLen;
    for (let b = 0; b < this.blockRetain.length; b++) {
      const held = Math.min(bestLen, this.blockRetain[b]);
      this.blockHitTokens[b] += held;
      reusable = Math.min(reusable, held);
    }
    this.entries.splice(this.entries.indexOf(best), 1);
    this.entries.push(best);
    if (reusable < this.minTokens) return undefined;
    this.hitTokens += reusable;
    return { seq: best.seq, length: reusable };
  }

  /** Takes ownership of a finished sequence; evicts (frees) the least recently used beyond capacity. */
  insert(seq: SeqHandle, tokens: Int32Array): void {
    if (this.capacity <= 0 || seq.length < this.minTokens) {
      this.free(seq);
      return;
    }
    // An entry that is a prefix of the new one adds nothing: replace it.
    for (let j = this.entries.length - 1; j >= 0; j--) {
      const e = this.entries[j];
      if (e.tokens.length <= tokens.length && e.tokens.every((t, i) => t === tokens[i])) {
        this.entries.splice(j, 1);
        this.free(e.seq);
      }
    }
    this.entries.push({ seq, tokens: tokens.slice(0, seq.length) });
    while (this.entries.length > this.capacity) this.free(this.entries.shift()!.seq);
  }

  hitRatio(): number {
    return this.queriedTokens ? this.hitTokens / this.queriedTokens : 0;
  }

  clear(): void {
    for (const e of this.entries) this.free(e.seq);
    this.entries = [];
  }
}
