// Decode-time matrix-vector products for up to 4 input rows (a small batch of
// sequences): y[r][o] = Σ_i W[o][i] · x[r][i]. Each invocation owns one
// output row: it streams that weight row once with vec4 loads and applies it
// to every input row, so the weights are read once per step whatever the
// batch. No workgroup memory and no barriers: a warp's neighbouring rows fill
// whole cache lines over consecutive iterations, and software rasterisers
// (SwiftShader), where barriers are very costly, run it well too.
// Twin: cpu/matmul.ts (gemv).

struct Params {
  rows: u32,    // 1..4
  in_dim: u32,  // multiple of 4
  out_dim: u32,
  w_off: u32,   // float offset of W in `weights`, multiple of 4
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> weights: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x;
  if (o >= p.out_dim) {
    return;
  }
  let n4 = p.in_dim / 4u;
  let wb = p.w_off / 4u + o * n4;
  // rows past the batch re-read the last row; their sums are never stored
  let last = p.rows - 1u;
  let x1 = min(1u, last) * n4;
  let x2 = min(2u, last) * n4;
  let x3 = min(3u, last) * n4;
  var acc = vec4<f32>(0.0);
  for (var i = 0u; i < n4; i++) {
    let w = weights[wb + i];
    acc += vec4<f32>(dot(w, x[i]), dot(w, x[x1 + i]), dot(w, x[x2 + i]), dot(w, x[x3 + i]));
  }
  for (var r = 0u; r < p.rows; r++) {
    y[r * p.out_dim + o] = acc[r];
  }
}
