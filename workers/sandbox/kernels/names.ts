// The WGSL kernel modules, by file name (without .wgsl). No I/O here, so a
// browser bundle can import the list too.

export const KERNELS = ['embedding', 'rmsnorm', 'gemv', 'matmul', 'rope', 'kv_store', 'attention', 'swiglu', 'residual'] as const;
export type KernelName = (typeof KERNELS)[number];
