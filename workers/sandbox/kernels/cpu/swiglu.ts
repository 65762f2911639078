// SwiGLU activation over the fused gate|up projection: per row,
// out[i] = silu(gate[i]) · up[i], gate = gu[0..hidden), up = gu[hidden..2·hidden).
// Twin of swiglu.wgsl.

export function swiglu(out: Float32Array, gu: Float32Array, rows: number, hidden: number): void {
  for (let r = 0; r < rows; r++) {
    const g = r * 2 * hidden;
    const o = r * hidden;
    for (let i = 0; i < hidden; i++) {
      const a = gu[g + i];
      out[o + i] = (a / (1 + Math.exp(-a))) * gu[g + hidden + i];
    }
  }
}
