// assembly/tx-patch.ts against src/engine/reference/tx-patch.ts on odd sizes, and the property the
// transformer circuit passes rely on: a row computed alone (chosen query rows, gathered input rows) has
// exactly the bits it has in a whole pass.
import { describe, expect, it } from "vitest";
import { createEngineSync, type Buf } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { txAssembleRef, txAttentionHeadRef, type SourceMode, type TermRef } from "../../src/engine/reference/tx-patch.ts";
import { assemble, SEL, SRC, TERM_WORDS, type Term } from "../../src/circuits/transformer/terms.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { randomF32 } from "../helpers/finite-diff.ts";

const e = createEngineSync();

const random = (rng: Rng, n: number, lo = -1.5, hi = 1.5): Float32Array => randomF32(rng, n, lo, hi);

const MODES: SourceMode[] = ["rows", "compact", "byPos", "one"];
const SELS = ["cur", "alt", "pos", "col"] as const;

describe("txAssemble", () => {
  // (B, T, d, terms, chosen rows or all)
  const CASES: [number, number, number, number, boolean][] = [
    [1, 1, 1, 1, false], [2, 3, 5, 3, false], [3, 4, 7, 6, true], [2, 24, 64, 9, true], [1, 5, 13, 11, false],
    [4, 6, 4, 2, true],
  ];
  it.each(CASES)("matches the reference: B %i, T %i, d %i, %i terms, chosen rows %s", (B, T, d, nTerms, chosen) => {
    const rng = new Rng(B * 100 + T * 10 + d + nTerms);
    const N = B * T;
    const rowIdx = chosen ? Int32Array.from({ length: N }, (_, g) => g).filter(() => rng.uniform() < 0.6) : null;
    const rows = rowIdx ? rowIdx.length : N;
    const sizeOf = (m: SourceMode) => (m === "rows" ? N : m === "compact" ? rows : m === "byPos" ? T : 1) * d;
    const refs: TermRef[] = [];
    const terms: Term[] = [];
    const owned: Buf<"f32" | "u8">[] = [];
    for (let m = 0; m < nTerms; m++) {
      const curMode = MODES[rng.int(4)];
      const altMode = MODES[rng.int(4)];
      const sel = SELS[(m + rng.int(4)) % 4];
      const cur = random(rng, sizeOf(curMode));
      const alt = m % 5 === 3 ? null : random(rng, sizeOf(altMode)); // null: zero ablation
      const mask = sel === "pos" || sel === "col"
        ? Uint8Array.from({ length: sel === "pos" ? T : d }, () => (rng.uniform() < 0.5 ? 1 : 0)) : null;
      refs.push({ cur, curMode, alt, altMode, sel, mask });
      const cb = e.from(cur);
      const ab = alt ? e.from(alt) : null;
      const mb = mask ? e.from(mask, "u8") : null;
      owned.push(cb, ...(ab ? [ab] : []), ...(mb ? [mb] : []));
      terms.push({ cur: cb.ptr, curMode: SRC[curMode], alt: ab?.ptr ?? 0, altMode: SRC[altMode], sel: SEL[sel],
        mask: mb?.ptr ?? 0 });
    }
    const want = new Float32Array(rows * d);
    txAssembleRef(want, rows, rowIdx, T, d, refs);
    const dst = e.from(random(rng, rows * d)); // garbage: every entry must be written
    const list = e.alloc(nTerms * TERM_WORDS, "i32");
    const idx = rowIdx ? e.from(rowIdx, "i32") : null;
    assemble(e, list, dst.ptr, rows, idx?.ptr ?? 0, T, d, terms);
    expectClose(e.read(dst), want, { atol: 1e-6, rtol: 1e-6 }, "dst");
    e.free(dst, list, idx ?? undefined, ...owned);
  });

  it("sums in the terms' order with one f32 rounding per term (the first copied)", () => {
    // 1 + 2^-24 rounds to 1 in f32, so the order is visible: (1 + ε) + ε = 1 but ε + ε + 1 > 1.
    const eps = 2 ** -24;
    const [one, small] = [e.from([1]), e.from([eps])];
    const list = e.alloc(3 * TERM_WORDS, "i32");
    const dst = e.alloc(1);
    const fixed = (ptr: number): Term => ({ cur: ptr, curMode: SRC.one, alt: 0, altMode: SRC.one, sel: SEL.cur, mask: 0 });
    assemble(e, list, dst.ptr, 1, 0, 1, 1, [fixed(one.ptr), fixed(small.ptr), fixed(small.ptr)]);
    expect(e.read(dst)[0]).toBe(1);
    assemble(e, list, dst.ptr, 1, 0, 1, 1, [fixed(small.ptr), fixed(small.ptr), fixed(one.ptr)]);
    expect(e.read(dst)[0]).toBe(Math.fround(1 + 2 * eps));
    e.free(one, small, list, dst);
  });
});

describe("txAttentionHead", () => {
  // (B, T, dh): single elements, tails of 4 and of the GEMM tiles, model A's T 24 × 16, model C's 64 × 32.
  const SHAPES: [number, number, number][] = [[1, 1, 1], [2, 3, 5], [3, 7, 4], [2, 24, 16], [1, 64, 32], [2, 9, 13]];

  it.each(SHAPES)("matches the reference for every query and for chosen queries: B %i, T %i, dh %i", (B, T, dh) => {
    const rng = new Rng(B * 1000 + T * 10 + dh);
    const N = B * T;
    const [ldq, ldk, ldv] = [dh + 1, dh + 3, dh];
    const q = random(rng, N * ldq);
    const k = random(rng, N * ldk);
    const v = random(rng, N * ldv);
    const scale = 1 / Math.sqrt(dh);
    const zWant = new Float32Array(N * dh);
    const pWant = new Float32Array(B * T * T);
    txAttentionHeadRef(q, ldq, k, ldk, v, ldv, zWant, dh, pWant, B, T, dh, scale, null, null);
    const [qb, kb, vb] = [e.from(q), e.from(k), e.from(v)];
    const zb = e.from(random(rng, N * dh));
    const pb = e.from(random(rng, B * T * T));
    const scratch = e.alloc(T * T);
    e.k.txAttentionHead(qb.ptr, ldq, kb.ptr, ldk, vb.ptr, ldv, zb.ptr, dh, pb.ptr, scratch.ptr, B, T, dh, scale, 0, 0);
    expectClose(e.read(zb), zWant, { atol: 1e-6, rtol: 1e-5 }, "z");
    expectClose(e.read(pb), pWant, { atol: 2e-7, rtol: 2e-6 }, "probs");
    const zAll = e.read(zb);

    // chosen queries: a random subset of rows, gathered; each must have the bits of the full pass
    const chosen = Int32Array.from({ length: N }, (_, g) => g).filter(() => rng.uniform() < 0.5);
    const seqStart = new Int32Array(B + 1);
    for (const g of chosen) seqStart[Math.floor(g / T) + 1]++;
    for (let b = 0; b < B; b++) seqStart[b + 1] += seqStart[b];
    const qc = new Float32Array(chosen.length * ldq);
    chosen.forEach((g, r) => qc.set(q.subarray(g * ldq, (g + 1) * ldq), r * ldq));
    const pos = chosen.map((g) => g % T);
    const [qcb, posb, startb] = [e.from(qc), e.from(pos, "i32"), e.from(seqStart, "i32")];
    const zc = e.alloc(Math.max(1, chosen.length) * dh);
    e.k.txAttentionHead(qcb.ptr, ldq, kb.ptr, ldk, vb.ptr, ldv, zc.ptr, dh, 0, scratch.ptr, B, T, dh, scale, posb.ptr,
      startb.ptr);
    const got = e.read(zc);
    chosen.forEach((g, r) => {
      for (let c = 0; c < dh; c++) expect(got[r * dh + c], `row ${g} col ${c}`).toBe(zAll[g * dh + c]);
    });
    e.free(qb, kb, vb, zb, pb, scratch, qcb, posb, startb, zc);
  });

  it("gives a layer's attentionForward bits for each head", () => {
    const [B, T, H, dh] = [2, 11, 3, 5];
    const rng = new Rng(4);
    const ld = 3 * H * dh;
    const qkv = e.from(random(rng, B * T * ld));
    const probs = e.alloc(B * H * T * T);
    const z = e.alloc(B * T * H * dh);
    e.k.attentionForward(qkv.ptr, probs.ptr, z.ptr, B, T, H, dh, Math.fround(1 / Math.sqrt(dh)));
    const zWant = e.read(z);
    const zh = e.alloc(B * T * dh);
    const scratch = e.alloc(T * T);
    for (let h = 0; h < H; h++) {
      const q = qkv.ptr + 4 * h * dh;
      e.k.txAttentionHead(q, ld, q + 4 * H * dh, ld, q + 8 * H * dh, ld, zh.ptr, dh, 0, scratch.ptr, B, T, dh,
        Math.fround(1 / Math.sqrt(dh)), 0, 0);
      const got = e.read(zh);
      for (let r = 0; r < B * T; r++) {
        for (let c = 0; c < dh; c++) expect(got[r * dh + c]).toBe(zWant[r * H * dh + h * dh + c]);
      }
    }
    e.free(qkv, probs, z, zh, scratch);
  });
});
