// RMSNorm per row: out = x / sqrt(mean(x²) + eps) · weight. Twin of rmsnorm.wgsl.

export function rmsnorm(
  out: Float32Array,
  x: Float32Array,
  weight: Float32Array,
  wOff: number,
  rows: number,
  dim: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let ss = 0;
    for (let i = 0; i < dim; i++) {
      const v = x[base + i];
      ss += v * v;
    }
    const inv = 1 / Math.sqrt(ss / dim + eps);
    for (let i = 0; i < dim; i++) out[base + i] = x[base + i] * inv * weight[wOff + i];
  }
}
