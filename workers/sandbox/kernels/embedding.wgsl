// Token embedding gather: out[r][i] = table[token(r)][i]. Twin: cpu/embedding.ts.

struct Params {
  rows: u32,
  dim: u32,
  table_off: u32, // float offset of the embedding table in `weights`
}

// per forward-pass row: (token, position, KV slot, unused)
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> row_info: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let r = gid.y;
  if (i >= p.dim || r >= p.rows) {
    return;
  }
  out[r * p.dim + i] = weights[p.table_off + row_info[r].x * p.dim + i];
}
