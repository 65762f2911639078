// Causal attention of each row's query over its sequence's KV cache, one
// workgroup per (head, row), grouped-query heads. Softmax is max-shifted
// (exp(s - max)) so large scores cannot overflow. Twin: cpu/attention.ts.

struct Params {
  rows: u32,
  n_heads: u32,
  n_kv_heads: u32,
  head_dim: u32,
  qkv_dim: u32,     // row stride of `qkv` (q heads first)
  kv_dim: u32,
  layer_off: u32,   // float offset of this layer's K block inside a slot
  v_off: u32,       // floats from the K block to the V block
  slot_stride: u32, // floats per slot
  out_dim: u32,     // row stride of `out` (n_heads · head_dim)
}

const WG: u32 = 64u;
// longest attended length; the host checks maxSeqLen against it
const MAX_SEQ: u32 = 2048u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> row_info: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read> kv: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

var<workgroup> scores: array<f32, MAX_SEQ>;
var<workgroup> red: array<f32, WG>;

fn reduce_max(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red[lid] = max(red[lid], red[lid + s]);
    }
    workgroupBarrier();
  }
  let m = red[0];
  workgroupBarrier(); // everyone has read red[0] before it is reused
  return m;
}

fn reduce_sum(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red[lid] += red[lid + s];
    }
    workgroupBarrier();
  }
  let m = red[0];
  workgroupBarrier();
  return m;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let h = wid.x;
  let r = wid.y;
  let info = row_info[r];
  let len = info.y + 1u;
  let kvh = h / (p.n_heads / p.n_kv_heads);
  let qb = r * p.qkv_dim + h * p.head_dim;
  let kb = info.z * p.slot_stride + p.layer_off + kvh * p.head_dim;
  let vb = kb + p.v_off;
  let scale = 1.0 / sqrt(f32(p.head_dim));

  var m = -3.0e38; // below any real score; thread 0 always sees position 0
  for (var t = lid.x; t < len; t += WG) {
    var s = 0.0;
    let kt = kb + t * p.kv_dim;
    for (var d = 0u; d < p.head_dim; d++) {
      s += qkv[qb + d] * kv[kt + d];
    }
    s *= scale;
    scores[t] = s;
    m = max(m, s);
  }
  let mx = reduce_max(m, lid.x);

  var sum = 0.0;
  for (var t = lid.x; t < len; t += WG) {
    let e = exp(scores[t] - mx);
    scores[t] = e;
    sum += e;
  }
  // the reduction's barriers also publish every thread's scores
  let inv = 1.0 / reduce_sum(sum, lid.x);

  for (var d = lid.x; d < p.head_dim; d += WG) {
    var acc = 0.0;
    for (var t = 0u; t < len; t++) {
      acc += scores[t] * kv[vb + t * p.kv_dim + d];
    }
    out[r * p.out_dim + h * p.head_dim + d] = acc * inv;
  }
}
