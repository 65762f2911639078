// Token embedding gather: out row r = table row tokens[r]. Twin of embedding.wgsl.

export function embedding(
  out: Float32Array,
  table: Float32Array,
  tableOff: number,
  tokens: Int32Array,
  rows: number,
  dim: number,
): void {
  for (let r = 0; r < rows; r++) {
    const src = tableOff + tokens[r] * dim;
    for (let i = 0; i < dim; i++) out[r * dim + i] = table[src + i];
  }
}
