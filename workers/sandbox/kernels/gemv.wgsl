// Decode-time matrix-vector products for a batch of input rows (sequences):
// y[r][o] = Σ_i W[o][i] · x[r][i]. Each weight row is streamed with vec4 loads
// and applied to four input rows at once; workgroup row y takes rows 4y..4y+3,
// so up to 4 rows read the weights once per step, and more rows once per four
// (dispatch ceil(rows / 4) workgroup rows). Twin: cpu/matmul.ts (gemv).
//
// TPR invocations cooperate on one output row, striding along it together and
// reducing in workgroup memory. On a GPU a whole warp per row (TPR = 32) makes
// every load contiguous and gives one workgroup per two rows, enough to fill
// the machine even for 512-row matrices. Software rasterisers (SwiftShader),
// where each barrier is very costly, run it with TPR = 1: one invocation per
// row and no barrier at all. The host picks TPR per adapter.

struct Params {
  rows: u32,    // ≥ 1
  in_dim: u32,  // multiple of 4
  out_dim: u32,
  w_off: u32,   // float offset of W in `weights`, multiple of 4
}

const WG: u32 = 64u;
/** invocations per output row: a power of two dividing 64 */
override TPR: u32 = 32u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> weights: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

var<workgroup> partial: array<vec4<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lane = lid.x % TPR;
  let o = wid.x * (WG / TPR) + lid.x / TPR;
  let r0 = wid.y * 4u;
  let n4 = p.in_dim / 4u;
  var acc = vec4<f32>(0.0);
  if (o < p.out_dim) {
    let wb = p.w_off / 4u + o * n4;
    // rows past the batch re-read the last row; their sums are never stored
    let last = p.rows - 1u;
    let x0 = min(r0, last) * n4;
    let x1 = min(r0 + 1u, last) * n4;
    let x2 = min(r0 + 2u, last) * n4;
    let x3 = min(r0 + 3u, last) * n4;
    for (var i = lane; i < n4; i += TPR) {
      let w = weights[wb + i];
      acc += vec4<f32>(dot(w, x[x0 + i]), dot(w, x[x1 + i]), dot(w, x[x2 + i]), dot(w, x[x3 + i]));
    }
  }
  if (TPR > 1u) {
    partial[lid.x] = acc;
    workgroupBarrier();
    for (var s = TPR / 2u; s > 0u; s >>= 1u) {
      if (lane < s) {
        partial[lid.x] += partial[lid.x + s];
      }
      workgroupBarrier();
    }
    acc = partial[lid.x]; // the row's total, in its lane 0
  }
  if (lane == 0u && o < p.out_dim) {
    for (var r = 0u; r < 4u && r0 + r < p.rows; r++) {
      y[(r0 + r) * p.out_dim + o] = acc[r];
    }
  }
}
