// Tiled matrix product for prefill and larger batches:
// Y[r][o] = Σ_i X[r][i] · W[o][i] (W row-major [out][in], i.e. X · Wᵀ).
// A 16×16 workgroup computes a 64×64 output tile, each thread a 4×4 block;
// 64×16 slices of X and W are staged in workgroup memory so each global
// value is read once per tile instead of once per output. Twin: cpu/matmul.ts.

struct Params {
  rows: u32,
  in_dim: u32,
  out_dim: u32,
  w_off: u32, // float offset of W in `weights`
}

const BM: u32 = 64u; // tile rows (input rows)
const BN: u32 = 64u; // tile columns (output features)
const BK: u32 = 16u; // depth of one staged slice

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

// stored k-major so the inner loop reads 4 consecutive rows / columns
var<workgroup> xs: array<array<f32, BM>, BK>;
var<workgroup> ws: array<array<f32, BN>, BK>;

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tid = lid.y * 16u + lid.x;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < p.in_dim; k0 += BK) {
    // 256 threads stage 64×16 values of each operand, 4 apiece; neighbouring
    // threads read neighbouring k, so global reads are contiguous
    for (var j = 0u; j < 4u; j++) {
      let e = tid + j * 256u;
      let m = e / BK;
      let k = e % BK;
      let gk = k0 + k;
      let gr = row0 + m;
      var xv = 0.0;
      if (gr < p.rows && gk < p.in_dim) {
        xv = x[gr * p.in_dim + gk];
      }
      xs[k][m] = xv;
      let gc = col0 + m;
      var wv = 0.0;
      if (gc < p.out_dim && gk < p.in_dim) {
        wv = weights[p.w_off + gc * p.in_dim + gk];
      }
      ws[k][m] = wv;
    }
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        a[i] = xs[k][lid.y * 4u + i];
        b[i] = ws[k][lid.x * 4u + i];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
          acc[i][j] += a[i] * b[j];
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      let r = row0 + lid.y * 4u + i;
      let c = col0 + lid.x * 4u + j;
      if (r < p.rows && c < p.out_dim) {
        y[r * p.out_dim + c] = acc[i][j];
      }
    }
  }
}
