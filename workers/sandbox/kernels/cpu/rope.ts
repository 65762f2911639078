// Rotary position embedding (Llama convention: rotate adjacent pairs
// (2i, 2i+1) of each head by pos·θ^(-2i/headDim)). The angle tables are built
// once in f64 and shared with the GPU so both backends rotate by the same f32
// values. Twin of rope.wgsl.

export interface RopeTable {
  /** [maxSeqLen][headDim/2] */
  cos: Float32Array;
  sin: Float32Array;
  half: number;
}

export function ropeTable(maxSeqLen: number, headDim: number, theta: number): RopeTable {
  const half = headDim / 2;
  const cos = new Float32Array(maxSeqLen * half);
  const sin = new Float32Array(maxSeqLen * half);
  for (let p = 0; p < maxSeqLen; p++) {
    for (let i = 0; i < half; i++) {
      const a = p * theta ** ((-2 * i) / headDim);
      cos[p * half + i] = Math.cos(a);
      sin[p * half + i] = Math.sin(a);
    }
  }
  return { cos, sin, half };
}

/** Rotates `nHeads` heads stored contiguously at x[off..] in place, for position `pos`. */
export function rope(x: Float32Array, off: number, nHeads: number, headDim: number, pos: number, t: RopeTable): void {
  const half = t.half;
  const tOff = pos * half;
  for (let h = 0; h < nHeads; h++) {
    const base = off + h * headDim;
    for (let i = 0; i < half; i++) {
      const c = t.cos[tOff + i];
      const s = t.sin[tOff + i];
      const a = x[base + 2 * i];
      const b = x[base + 2 * i + 1];
      x[base + 2 * i] = a * c - b * s;
      x[base + 2 * i + 1] = a * s + b * c;
    }
  }
}
