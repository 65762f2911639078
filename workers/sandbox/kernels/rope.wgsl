// Rotary position embedding applied in place to the q and k heads of the fused
// qkv rows (k heads follow the q heads), Llama pair convention (2i, 2i+1),
// using the host's precomputed cos/sin tables. Twin: cpu/rope.ts.

struct Params {
  rows: u32,
  heads: u32,    // q heads + k heads
  head_dim: u32,
  qkv_dim: u32,  // row stride of `qkv`
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> row_info: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> cos_t: array<f32>; // [position][head_dim / 2]
@group(0) @binding(3) var<storage, read> sin_t: array<f32>;
@group(0) @binding(4) var<storage, read_write> qkv: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let half_dim = p.head_dim / 2u;
  let r = gid.y;
  if (gid.x >= half_dim * p.heads || r >= p.rows) {
    return;
  }
  let h = gid.x / half_dim;
  let i = gid.x % half_dim;
  let t = row_info[r].y * half_dim + i;
  let c = cos_t[t];
  let s = sin_t[t];
  let base = r * p.qkv_dim + h * p.head_dim + 2u * i;
  let a = qkv[base];
  let b = qkv[base + 1u];
  qkv[base] = a * c - b * s;
  qkv[base + 1u] = a * s + b * c;
}
