// assembly/attention.ts against src/engine/reference/attention.ts on odd shapes (B, T, H, dh), and the
// reference's backward against central finite differences of its forward in f64.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { attentionBackwardRef, attentionForwardRef } from "../../src/engine/reference/attention.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { finiteDiff, randomF32 } from "../helpers/finite-diff.ts";

const e = createEngineSync();
// (B, T, H, dh): single elements, tails of 4 and of the GEMM's 4×8 tiles, the bench models' shapes
// (A: T 24 × 4 heads × 16; B: T 4 × 1 × 32; C: T 64 × 4 × 32) and a T above the GEMM's blocks.
const SHAPES: [number, number, number, number][] = [
  [1, 1, 1, 1], [2, 3, 2, 5], [1, 7, 3, 4], [3, 5, 1, 13], [2, 24, 4, 16], [3, 4, 1, 32], [1, 64, 4, 32],
  [1, 33, 2, 7], [2, 9, 3, 8], [1, 130, 1, 6],
];

const random = (rng: Rng, n: number, lo = -1.5, hi = 1.5): Float32Array => randomF32(rng, n, lo, hi);

describe("attentionForward", () => {
  it.each(SHAPES)("matches the reference for B %i, T %i, H %i, dh %i", (B, T, H, dh) => {
    const rng = new Rng(B * 1000 + T * 10 + H + dh);
    const qkv = random(rng, B * T * 3 * H * dh);
    const scale = 1 / Math.sqrt(dh);
    const [pWant, zWant] = [new Float32Array(B * H * T * T), new Float32Array(B * T * H * dh)];
    attentionForwardRef(qkv, pWant, zWant, B, T, H, dh, scale);
    const qb = e.from(qkv);
    const pb = e.from(random(rng, B * H * T * T)); // garbage: every entry must be written
    const zb = e.from(random(rng, B * T * H * dh));
    e.k.attentionForward(qb.ptr, pb.ptr, zb.ptr, B, T, H, dh, scale);
    expectClose(e.read(pb), pWant, { atol: 2e-7, rtol: 2e-6 }, "probs");
    expectClose(e.read(zb), zWant, { atol: 1e-6, rtol: 1e-5 }, "z");
    e.free(qb, pb, zb);
  });

  it("masks the future: probabilities right of the diagonal are exactly 0 and each row sums to 1", () => {
    const [B, T, H, dh] = [2, 11, 3, 5];
    const rng = new Rng(9);
    const qb = e.from(random(rng, B * T * 3 * H * dh, -20, 20)); // large scores: a saturated softmax
    const pb = e.alloc(B * H * T * T);
    const zb = e.alloc(B * T * H * dh);
    e.k.attentionForward(qb.ptr, pb.ptr, zb.ptr, B, T, H, dh, 1 / Math.sqrt(dh));
    const p = e.read(pb);
    for (let r = 0; r < B * H * T; r++) {
      const i = r % T;
      let sum = 0;
      for (let j = 0; j < T; j++) {
        const v = p[r * T + j];
        if (j > i) expect(v).toBe(0);
        else expect(v).toBeGreaterThanOrEqual(0);
        sum += v;
      }
      expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
    }
    e.free(qb, pb, zb);
  });

  it("computes a hand-worked case: T 2, one head of width 1", () => {
    // q = k = v = [1, 2] over positions; scale 1. Row 0 attends to itself; row 1: softmax([2, 4]).
    const qkv = [1, 1, 1, 2, 2, 2];
    const [qb, pb, zb] = [e.from(qkv), e.alloc(4), e.alloc(2)];
    e.k.attentionForward(qb.ptr, pb.ptr, zb.ptr, 1, 2, 1, 1, 1);
    const w = Math.exp(2) / (Math.exp(2) + Math.exp(4));
    expectClose(e.read(pb), [1, 0, w, 1 - w], { atol: 1e-7 }, "probs");
    expectClose(e.read(zb), [1, w + 2 * (1 - w)], { atol: 1e-6 }, "z");
    e.free(qb, pb, zb);
  });
});

describe("attentionBackward", () => {
  it("reference equals central finite differences of the reference forward (f64)", () => {
    const [B, T, H, dh] = [2, 5, 2, 3];
    const rng = new Rng(3);
    const qkv = Float64Array.from(random(rng, B * T * 3 * H * dh));
    const w = Float64Array.from(random(rng, B * T * H * dh)); // loss = Σ w ⊙ z, so dz = w
    const scale = 0.7;
    const loss = (x: Float64Array) => {
      const p = new Float64Array(B * H * T * T);
      const z = new Float64Array(B * T * H * dh);
      attentionForwardRef(x, p, z, B, T, H, dh, scale);
      return z.reduce((s, v, i) => s + v * w[i], 0);
    };
    const p = new Float64Array(B * H * T * T);
    attentionForwardRef(qkv, p, new Float64Array(B * T * H * dh), B, T, H, dh, scale);
    const dqkv = new Float64Array(qkv.length);
    attentionBackwardRef(qkv, p, w, dqkv, null, B, T, H, dh, scale);
    const fd = finiteDiff(qkv, () => loss(qkv));
    expectClose(dqkv, fd, { atol: 1e-8, rtol: 1e-6 }, "dqkv vs finite differences");
  });

  it.each(SHAPES)("matches the reference for B %i, T %i, H %i, dh %i", (B, T, H, dh) => {
    const rng = new Rng(B * 77 + T * 7 + H * 3 + dh);
    const qkv = random(rng, B * T * 3 * H * dh);
    const dz = random(rng, B * T * H * dh);
    const scale = 1 / Math.sqrt(dh);
    const probs = new Float32Array(B * H * T * T);
    attentionForwardRef(qkv, probs, new Float32Array(B * T * H * dh), B, T, H, dh, scale);
    const want = new Float32Array(qkv.length);
    attentionBackwardRef(qkv, probs, dz, want, null, B, T, H, dh, scale);
    const [qb, pb, dzb] = [e.from(qkv), e.from(probs), e.from(dz)];
    const db = e.from(random(rng, qkv.length)); // garbage: overwritten
    const scratch = e.alloc(T * T);
    e.k.attentionBackward(qb.ptr, pb.ptr, dzb.ptr, db.ptr, scratch.ptr, B, T, H, dh, scale);
    expectClose(e.read(db), want, { atol: 2e-6, rtol: 2e-5 }, "dqkv");
    e.free(qb, pb, dzb, db, scratch);
  });

  it("does nothing for an empty batch", () => {
    const [qb, pb, zb] = [e.alloc(4), e.alloc(4), e.alloc(4)];
    e.k.attentionForward(qb.ptr, pb.ptr, zb.ptr, 0, 4, 1, 1, 1);
    e.k.attentionBackward(qb.ptr, pb.ptr, zb.ptr, qb.ptr, zb.ptr, 0, 4, 1, 1, 1);
    expect(Array.from(e.read(pb))).toEqual([0, 0, 0, 0]);
    e.free(qb, pb, zb);
  });
});
