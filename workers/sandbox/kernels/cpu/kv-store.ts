// Appends one row's (rotated) k and its v from the fused qkv row to a KV
// cache at `pos`. Cache layout: K rows at kBase, V rows at vBase, kvDim apart.
// Twin of kv_store.wgsl.

export function kvStore(
  cache: Float32Array,
  kBase: number,
  vBase: number,
  pos: number,
  qkv: Float32Array,
  rowOff: number,
  dim: number,
  kvDim: number,
): void {
  const k = rowOff + dim;
  const v = k + kvDim;
  const kd = kBase + pos * kvDim;
  const vd = vBase + pos * kvDim;
  for (let i = 0; i < kvDim; i++) {
    cache[kd + i] = qkv[k + i];
    cache[vd + i] = qkv[v + i];
  }
}
