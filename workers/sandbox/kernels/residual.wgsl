// Residual add in place: x[i] += y[i] for i < n. Twin: cpu/residual.ts.

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < p.n) {
    x[gid.x] += y[gid.x];
  }
}
