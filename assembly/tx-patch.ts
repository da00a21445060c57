// Kernel family 'tx-patch': the patched forward passes of a transformer's circuit graph
// (src/circuits/transformer/, docs/transformer-circuits.md). Host signatures:
// src/engine/abi/transformer-circuits.ts; plain-TS references: src/engine/reference/tx-patch.ts.
//
// A receiver of the graph (a head's q, k or v input, an MLP's input, the logits' input) reads its own
// copy of the residual stream: the sum, in the graph's forward order, of every upstream sender's
// contribution, each either the current one or its ablated value (per edge, position or residual
// dimension), plus the always-present biases. txAssemble builds such copies from a list of terms;
// txAttentionHead runs one head's causal attention over every query row or over chosen query rows
// only. Both compute each row on its own, with the arithmetic of a whole pass (the same GEMM, the same
// softmax row), so a row computed alone has exactly the bits it has in a full pass.
import { gemm } from "./gemm";
import { softmaxPrefix } from "./softmax-row";

// ---- terms: TERM_WORDS i32 words each ----
// [0] cur   byte offset of the term's current values (0: zeros)
// [1] curMode  how rows are found in cur (the source modes below)
// [2] alt   byte offset of the ablated values (0: zeros)
// [3] altMode
// [4] sel   which of the two a row uses (SEL_* below)
// [5] mask  byte offset of a u8 mask: per position (T) for SEL_POS, per column (d) for SEL_COL
const TERM_WORDS = 6;
// Source modes: where row i of the output (global row g = rowIdx[i], position t = g mod T) is read.
const SRC_ROWS = 0; // row g of an (N, d) buffer
const SRC_COMPACT = 1; // row i of a (rows, d) buffer
const SRC_BY_POS = 2; // row t of a (T, d) buffer
const SRC_ONE = 3; // one row (d), e.g. a bias
// Selection of cur / alt.
const SEL_CUR = 0;
const SEL_ALT = 1;
const SEL_POS = 2; // alt where mask[t] ≠ 0
const SEL_COL = 3; // column c from alt where mask[c] ≠ 0, else from cur

// @ts-ignore: decorator
@inline function srcRow(base: usize, mode: i32, g: i32, i: i32, t: i32, rowBytes: usize): usize {
  if (base == 0) return 0;
  if (mode == SRC_ROWS) return base + <usize>g * rowBytes;
  if (mode == SRC_COMPACT) return base + <usize>i * rowBytes;
  if (mode == SRC_BY_POS) return base + <usize>t * rowBytes;
  return base;
}

// out (d) ← src (d), or out += src; a null src is zeros (copied when first, skipped otherwise)
// @ts-ignore: decorator
@inline function addRow(out: usize, src: usize, d: i32, first: bool): void {
  const d4 = d & ~3;
  if (src == 0) {
    if (first) memory.fill(out, 0, <usize>d << 2);
    return;
  }
  let c = 0;
  if (first) {
    memory.copy(out, src, <usize>d << 2);
    return;
  }
  for (; c < d4; c += 4) {
    const o = <usize>c << 2;
    v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(src + o)));
  }
  for (; c < d; c++) {
    const o = <usize>c << 2;
    store<f32>(out + o, load<f32>(out + o) + load<f32>(src + o));
  }
}

// dst (rows, d): row i = Σ over the nTerms terms, in order, of the term's value at global row
// g = rowIdx[i] (rowIdx i32 (rows), or 0: g = i) and position t = g mod T. The first term is copied,
// the others added, one f32 addition per term and element, so the sum's order is the terms' order.
export function txAssemble(dst: usize, rows: i32, rowIdx: usize, T: i32, d: i32, terms: usize, nTerms: i32): void {
  const rowBytes = <usize>d << 2;
  for (let i = 0; i < rows; i++) {
    const g = rowIdx != 0 ? load<i32>(rowIdx + (<usize>i << 2)) : i;
    const t = g % T;
    const out = dst + <usize>i * rowBytes;
    for (let m = 0; m < nTerms; m++) {
      const w = terms + ((<usize>m * TERM_WORDS) << 2);
      const sel = load<i32>(w, 16);
      const cur = srcRow(<usize>load<i32>(w), load<i32>(w, 4), g, i, t, rowBytes);
      const alt = srcRow(<usize>load<i32>(w, 8), load<i32>(w, 12), g, i, t, rowBytes);
      const mask = <usize>load<i32>(w, 20);
      if (sel == SEL_COL) {
        for (let c = 0; c < d; c++) {
          const o = <usize>c << 2;
          const src = load<u8>(mask + <usize>c) != 0 ? alt : cur;
          const v: f32 = src != 0 ? load<f32>(src + o) : 0;
          store<f32>(out + o, m == 0 ? v : load<f32>(out + o) + v);
        }
        continue;
      }
      const useAlt = sel == SEL_ALT || (sel == SEL_POS && load<u8>(mask + <usize>t) != 0);
      addRow(out, useAlt ? alt : cur, d, m == 0);
    }
  }
}

// One head's causal attention, z (rows, dh) at row stride ldz, from its q (rows, ldq) and the k, v of
// every position (B·T rows, strides ldk, ldv). Scores are q kᵀ·scale (the packed GEMM), each row's
// softmax over its own prefix (softmaxPrefix), z = A v (the GEMM, over all T keys, zeros right of
// the prefix): the arithmetic of attentionForward for one head.
//   Every query (qPos = 0): rows = B·T, query row b·T + i at position i; probs (B, T, T) receives
//     the probabilities when ≠ 0 (else one sequence at a time in scratch).
//   Chosen queries (qPos ≠ 0): rows are grouped by sequence, ascending: sequence b's are rows
//     seqStart[b] … seqStart[b + 1] − 1 (seqStart i32 (B + 1)), row r at position qPos[r] (i32 (rows)).
// scratch: T·T f32.
export function txAttentionHead(q: usize, ldq: i32, k: usize, ldk: i32, v: usize, ldv: i32, z: usize, ldz: i32,
  probs: usize, scratch: usize, B: i32, T: i32, dh: i32, scale: f32, qPos: usize, seqStart: usize): void {
  const tt = <usize>T * <usize>T;
  const rowBytes = <usize>T << 2;
  for (let b = 0; b < B; b++) {
    const kb = k + ((<usize>b * T * ldk) << 2);
    const vb = v + ((<usize>b * T * ldv) << 2);
    if (qPos == 0) {
      const p = probs != 0 ? probs + ((<usize>b * tt) << 2) : scratch;
      gemm(0, 1, T, T, dh, q + ((<usize>b * T * ldq) << 2), ldq, kb, ldk, p, T, 0);
      for (let i = 0; i < T; i++) softmaxPrefix(p + <usize>i * rowBytes, i + 1, T, scale);
      gemm(0, 0, T, dh, T, p, T, vb, ldv, z + ((<usize>b * T * ldz) << 2), ldz, 0);
      continue;
    }
    const r0 = load<i32>(seqStart + (<usize>b << 2));
    const m = load<i32>(seqStart + (<usize>(b + 1) << 2)) - r0;
    if (m <= 0) continue;
    gemm(0, 1, m, T, dh, q + ((<usize>r0 * ldq) << 2), ldq, kb, ldk, scratch, T, 0);
    for (let r = 0; r < m; r++) {
      const pos = load<i32>(qPos + (<usize>(r0 + r) << 2));
      softmaxPrefix(scratch + <usize>r * rowBytes, pos + 1, T, scale);
    }
    gemm(0, 0, m, dh, T, scratch, T, vb, ldv, z + ((<usize>r0 * ldz) << 2), ldz, 0);
  }
}
