// Plain-loop reference for assembly/activation.ts (GELU tanh form, ReLU), in f64.

/** f32 arrays mirror the kernel; f64 arrays keep exact values for finite-difference checks. */
type Floats = Float32Array | Float64Array;

const K = Math.sqrt(2 / Math.PI);

/** a (n) = ½z(1 + tanh(√(2/π)(z + 0.044715z³))). */
export function geluForwardRef(z: Floats, a: Floats, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = z[i];
    a[i] = 0.5 * x * (1 + Math.tanh(K * (x + 0.044715 * x ** 3)));
  }
}

/** dz (n) = da·gelu'(z). */
export function geluBackwardRef(dz: Floats, da: Floats, z: Floats, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = z[i];
    const t = Math.tanh(K * (x + 0.044715 * x ** 3));
    const d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * K * (1 + 3 * 0.044715 * x * x);
    dz[i] = da[i] * d;
  }
}

/** a (n) = max(z, 0). */
export function reluForwardRef(z: Floats, a: Floats, n: number): void {
  for (let i = 0; i < n; i++) a[i] = z[i] > 0 ? z[i] : 0;
}

/** dz (n) = da where z > 0, else 0. */
export function reluBackwardRef(dz: Floats, da: Floats, z: Floats, n: number): void {
  for (let i = 0; i < n; i++) dz[i] = z[i] > 0 ? da[i] : 0;
}
