// RMSNorm, one workgroup per row: out = x / sqrt(mean(x²) + eps) · weight.
// Twin: cpu/rmsnorm.ts.

struct Params {
  rows: u32,
  dim: u32,
  w_off: u32, // float offset of the norm weight in `weights`
  x_off: u32, // float offset of the first input row in `x`
  eps: f32,
}

const WG: u32 = 64u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let r = wid.x;
  let base = p.x_off + r * p.dim;
  var ss = 0.0;
  for (var i = lid.x; i < p.dim; i += WG) {
    let v = x[base + i];
    ss += v * v;
  }
  partial[lid.x] = ss;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid.x < s) {
      partial[lid.x] += partial[lid.x + s];
    }
    workgroupBarrier();
  }
  let inv = 1.0 / sqrt(partial[0] / f32(p.dim) + p.eps);
  for (var i = lid.x; i < p.dim; i += WG) {
    out[r * p.dim + i] = x[base + i] * inv * weights[p.w_off + i];
  }
}
