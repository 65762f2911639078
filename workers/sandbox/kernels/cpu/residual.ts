// Residual add in place: x += y over n elements. Twin of residual.wgsl.

export function residualAdd(x: Float32Array, y: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) x[i] += y[i];
}
