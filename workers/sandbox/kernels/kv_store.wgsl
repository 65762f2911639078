// Appends each row's (rotated) k and its v to its sequence's KV cache at the
// row's position. Cache layout per slot: [layer][K | V][position][kv_dim].
// Twin: cpu/kv-store.ts.

struct Params {
  rows: u32,
  dim: u32,         // k starts at this column of a qkv row
  kv_dim: u32,
  qkv_dim: u32,
  layer_off: u32,   // float offset of this layer's K block inside a slot
  v_off: u32,       // floats from the K block to the V block
  slot_stride: u32, // floats per slot
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> row_info: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read_write> kv: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let r = gid.y;
  if (i >= p.kv_dim || r >= p.rows) {
    return;
  }
  let info = row_info[r];
  let dst = info.z * p.slot_stride + p.layer_off + info.y * p.kv_dim + i;
  let src = r * p.qkv_dim + p.dim + i;
  kv[dst] = qkv[src];
  kv[dst + p.v_off] = qkv[src + p.kv_dim];
}
