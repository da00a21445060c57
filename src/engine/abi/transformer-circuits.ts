// Host-side signatures of the transformer circuit kernels (assembly/tx-patch.ts): the patched passes of
// the component graph (src/circuits/transformer/). Pointers are byte offsets (Buf.ptr); 0 means absent
// where a comment says so. Plain-TS references: src/engine/reference/tx-patch.ts.
import type { Arity } from "./arity.ts";

export interface TransformerCircuitsAbi {
  /**
   * dst (rows, d): row i = Σ, in list order, of each term's value at global row g = rowIdx[i]
   * (rowIdx i32 (rows), or 0: g = i) and position t = g mod T; the first term is copied, the rest
   * added. `terms` holds nTerms × 6 i32 words (TERM in src/circuits/transformer/terms.ts):
   * cur, curMode, alt, altMode, sel, mask.
   */
  txAssemble(dst: number, rows: number, rowIdx: number, T: number, d: number, terms: number, nTerms: number): void;
  /**
   * One head's causal attention z (rows, dh) (stride ldz) from q (rows, ldq) and k, v (B·T rows, ldk,
   * ldv), scale usually 1/√dh. qPos = 0: every query (rows = B·T), probs (B,T,T) filled when ≠ 0.
   * Else chosen queries grouped by sequence: seqStart i32 (B + 1), qPos i32 (rows) their positions.
   * scratch: T·T f32.
   */
  txAttentionHead(q: number, ldq: number, k: number, ldk: number, v: number, ldv: number, z: number, ldz: number,
    probs: number, scratch: number, B: number, T: number, dh: number, scale: number, qPos: number, seqStart: number): void;
}

export const TRANSFORMER_CIRCUITS_ARITY: Arity<TransformerCircuitsAbi> = {
  txAssemble: 7, txAttentionHead: 16,
};
