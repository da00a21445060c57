// Plain-loop reference for assembly/attention.ts: causal multi-head attention, forward and backward,
// in f64 (rounded only where an f32 array stores). Same signatures, arrays instead of pointers.

/** f32 arrays mirror the kernel; f64 arrays keep exact values for finite-difference checks. */
type Floats = Float32Array | Float64Array;

/**
 * probs (B,H,T,T) = softmax(q kᵀ·scale + causal mask), z (B·T, H·dh) = A v, from
 * qkv (B·T, 3·H·dh) with rows [q heads | k heads | v heads].
 */
export function attentionForwardRef(qkv: Floats, probs: Floats, z: Floats, B: number, T: number, H: number,
  dh: number, scale: number): void {
  const ld = 3 * H * dh;
  const ldz = H * dh;
  const s = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const p0 = (b * H + h) * T * T;
      for (let i = 0; i < T; i++) {
        const qi = (b * T + i) * ld + h * dh;
        let mx = -Infinity;
        for (let j = 0; j <= i; j++) {
          const kj = (b * T + j) * ld + H * dh + h * dh;
          let dot = 0;
          for (let c = 0; c < dh; c++) dot += qkv[qi + c] * qkv[kj + c];
          s[j] = dot * scale;
          mx = Math.max(mx, s[j]);
        }
        let sum = 0;
        for (let j = 0; j <= i; j++) {
          s[j] = Math.exp(s[j] - mx);
          sum += s[j];
        }
        for (let j = 0; j < T; j++) probs[p0 + i * T + j] = j <= i ? s[j] / sum : 0;
        for (let c = 0; c < dh; c++) {
          let acc = 0;
          for (let j = 0; j <= i; j++) acc += (s[j] / sum) * qkv[(b * T + j) * ld + 2 * H * dh + h * dh + c];
          z[(b * T + i) * ldz + h * dh + c] = acc;
        }
      }
    }
  }
}

/** dqkv (B·T, 3·H·dh) = ∂loss/∂qkv from dz (B·T, H·dh), the forward's qkv and probs. scratch is unused. */
export function attentionBackwardRef(qkv: Floats, probs: Floats, dz: Floats, dqkv: Floats, _scratch: Floats | null,
  B: number, T: number, H: number, dh: number, scale: number): void {
  const ld = 3 * H * dh;
  const ldz = H * dh;
  dqkv.fill(0, 0, B * T * ld);
  const dA = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const p0 = (b * H + h) * T * T;
      const q = (t: number) => (b * T + t) * ld + h * dh;
      const k = (t: number) => q(t) + H * dh;
      const v = (t: number) => q(t) + 2 * H * dh;
      for (let i = 0; i < T; i++) {
        const dzi = (b * T + i) * ldz + h * dh;
        let dot = 0;
        for (let j = 0; j <= i; j++) {
          let a = 0;
          for (let c = 0; c < dh; c++) a += dz[dzi + c] * qkv[v(j) + c];
          dA[j] = a;
          dot += probs[p0 + i * T + j] * a;
        }
        for (let j = 0; j <= i; j++) {
          const p = probs[p0 + i * T + j];
          const ds = scale * p * (dA[j] - dot);
          for (let c = 0; c < dh; c++) {
            dqkv[v(j) + c] += p * dz[dzi + c];
            dqkv[q(i) + c] += ds * qkv[k(j) + c];
            dqkv[k(j) + c] += ds * qkv[q(i) + c];
          }
        }
      }
    }
  }
}
