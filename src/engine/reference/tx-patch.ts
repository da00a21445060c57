// Plain-loop reference for assembly/tx-patch.ts (the transformer circuit graph's patched passes), in f64
// (rounded only where an f32 array stores). Same signatures, arrays and objects instead of pointers.

/** f32 arrays mirror the kernel; f64 arrays keep exact values. */
type Floats = Float32Array | Float64Array;

/** Where row i of the output (global row g, position t = g mod T) is read in a source. */
export type SourceMode = "rows" | "compact" | "byPos" | "one";

/** One term of a receiver's input: its current and ablated values, and which one each row uses. */
export interface TermRef {
  cur: Floats | null;
  curMode: SourceMode;
  alt: Floats | null;
  altMode: SourceMode;
  /** cur, alt, alt where mask[t] ≠ 0 (pos), or column c from alt where mask[c] ≠ 0 (col). */
  sel: "cur" | "alt" | "pos" | "col";
  mask: Uint8Array | null;
}

function rowOf(src: Floats | null, mode: SourceMode, g: number, i: number, t: number, d: number): number {
  if (!src) return -1;
  if (mode === "rows") return g * d;
  if (mode === "compact") return i * d;
  if (mode === "byPos") return t * d;
  return 0;
}

/** dst (rows, d): row i = Σ over terms, in order, of the term's value at g = rowIdx[i] (or i), t = g mod T. */
export function txAssembleRef(dst: Floats, rows: number, rowIdx: Int32Array | null, T: number, d: number,
  terms: TermRef[]): void {
  const acc = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    const g = rowIdx ? rowIdx[i] : i;
    const t = g % T;
    acc.fill(0);
    for (const term of terms) {
      const cur = rowOf(term.cur, term.curMode, g, i, t, d);
      const alt = rowOf(term.alt, term.altMode, g, i, t, d);
      for (let c = 0; c < d; c++) {
        const useAlt = term.sel === "alt" || (term.sel === "pos" && term.mask![t] !== 0) ||
          (term.sel === "col" && term.mask![c] !== 0);
        const [src, at] = useAlt ? [term.alt, alt] : [term.cur, cur];
        acc[c] += src ? src[at + c] : 0;
      }
    }
    for (let c = 0; c < d; c++) dst[i * d + c] = acc[c];
  }
}

/**
 * One head's causal attention z (rows, dh) at stride ldz from q (stride ldq) and k, v (B·T rows).
 * qPos null: every query, probs (B,T,T) filled when given. Otherwise chosen queries grouped by
 * sequence (seqStart (B + 1)), row r at position qPos[r].
 */
export function txAttentionHeadRef(q: Floats, ldq: number, k: Floats, ldk: number, v: Floats, ldv: number, z: Floats,
  ldz: number, probs: Floats | null, B: number, T: number, dh: number, scale: number, qPos: Int32Array | null,
  seqStart: Int32Array | null): void {
  const s = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    const first = qPos ? seqStart![b] : b * T;
    const end = qPos ? seqStart![b + 1] : (b + 1) * T;
    for (let r = first; r < end; r++) {
      const i = qPos ? qPos[r] : r - b * T;
      let mx = -Infinity;
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let c = 0; c < dh; c++) dot += q[r * ldq + c] * k[(b * T + j) * ldk + c];
        s[j] = dot * scale;
        mx = Math.max(mx, s[j]);
      }
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += (s[j] = Math.exp(s[j] - mx));
      if (probs && !qPos) for (let j = 0; j < T; j++) probs[(b * T + i) * T + j] = j <= i ? s[j] / sum : 0;
      for (let c = 0; c < dh; c++) {
        let a = 0;
        for (let j = 0; j <= i; j++) a += (s[j] / sum) * v[(b * T + j) * ldv + c];
        z[r * ldz + c] = a;
      }
    }
  }
}
