// assembly/data.ts against src/engine/reference/data.ts. Gathers only move values, and the
// scatter-add adds in the reference's order, so results must be bit-identical (tolerance 0; faster
// than toEqual on large typed arrays, and it names the first bad index).
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import {
  embedGatherRef,
  embedScatterAddRef,
  fillRef,
  gatherColsRef,
  gatherRowsRef,
} from "../../src/engine/reference/data.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { randomF32 } from "../helpers/finite-diff.ts";

const e = createEngineSync();
const EXACT = { atol: 0, rtol: 0 };

const random = (rng: Rng, n: number): Float32Array => randomF32(rng, n, -1, 1);

describe("gatherRows", () => {
  const shapes = [[1, 1], [3, 5], [7, 13], [31, 64], [100, 784]];
  it.each(shapes)("matches the reference for %i rows of %i", (nIdx, rowLen) => {
    const rng = new Rng(nIdx + rowLen);
    const nSrc = nIdx + 5;
    const src = random(rng, nSrc * rowLen);
    const idx = Int32Array.from({ length: nIdx }, () => rng.int(nSrc)); // repeats allowed
    const want = new Float32Array(nIdx * rowLen);
    gatherRowsRef(want, src, idx, nIdx, rowLen);
    const [db, sb, ib] = [e.alloc(nIdx * rowLen), e.from(src), e.from(idx, "i32")];
    e.k.gatherRows(db.ptr, sb.ptr, ib.ptr, nIdx, rowLen);
    expectClose(e.read(db), want, EXACT, "gather");
    e.free(db, sb, ib);
  });
});

describe("gatherCols", () => {
  it.each([[1, 1, 1], [3, 5, 1], [7, 13, 1], [5, 64, 2], [4, 100, 2], [2, 31, 1]])(
    "matches the reference for (%i,%i), fold %i",
    (rows, cols, fold) => {
      const rng = new Rng(rows * cols + fold);
      const src = random(rng, rows * cols);
      const perm = rng.permutation(cols / fold);
      const want = new Float32Array(rows * cols);
      gatherColsRef(want, src, rows, cols, perm, fold);
      const [db, sb, pb] = [e.alloc(rows * cols), e.from(src), e.from(perm, "i32")];
      e.k.gatherCols(db.ptr, sb.ptr, rows, cols, pb.ptr, fold);
      expectClose(e.read(db), want, EXACT, "gather");
      e.free(db, sb, pb);
    },
  );

  it("permutes a hand-worked folded row", () => {
    // n = 3 slots, fold 2: slot s reads feature perm[s] in both folds.
    const [db, sb, pb] = [e.alloc(6), e.from([10, 11, 12, 20, 21, 22]), e.from([2, 0, 1], "i32")];
    e.k.gatherCols(db.ptr, sb.ptr, 1, 6, pb.ptr, 2);
    expect(Array.from(e.read(db))).toEqual([12, 10, 11, 22, 20, 21]);
    e.free(db, sb, pb);
  });
});

describe("embedGather and embedScatterAdd", () => {
  it.each([[1, 1, 1], [3, 2, 5], [7, 2, 13], [13, 1, 32], [100, 2, 32], [5, 3, 7]])(
    "match the reference for B = %i, fold = %i, dim = %i",
    (B, fold, dim) => {
      const rng = new Rng(B * 100 + fold * 10 + dim);
      const nTok = 4; // few tokens, so the scatter-add hits rows many times
      const emb = random(rng, nTok * dim);
      const tokens = Int32Array.from({ length: B * fold }, () => rng.int(nTok));
      const want = new Float32Array(B * fold * dim);
      embedGatherRef(want, emb, tokens, B, fold, dim);
      const [xb, eb, tb] = [e.alloc(B * fold * dim), e.from(emb), e.from(tokens, "i32")];
      e.k.embedGather(xb.ptr, eb.ptr, tb.ptr, B, fold, dim);
      expectClose(e.read(xb), want, EXACT, "embedGather");

      const dx = random(rng, B * fold * dim);
      const g = random(rng, nTok * dim);
      const gWant = g.slice();
      embedScatterAddRef(gWant, dx, tokens, B, fold, dim);
      const [gb, dxb] = [e.from(g), e.from(dx)];
      e.k.embedScatterAdd(gb.ptr, dxb.ptr, tb.ptr, B, fold, dim);
      expectClose(e.read(gb), gWant, EXACT, "embedScatterAdd");
      e.free(xb, eb, tb, gb, dxb);
    },
  );

  it("scatter-adds a hand-worked batch", () => {
    // tokens [[1, 0], [1, 1]], dim 2: token 1 collects three rows, token 0 one.
    const [gb, dxb, tb] = [e.alloc(4), e.from([1, 2, 3, 4, 5, 6, 7, 8]), e.from([1, 0, 1, 1], "i32")];
    e.k.embedScatterAdd(gb.ptr, dxb.ptr, tb.ptr, 2, 2, 2);
    expect(Array.from(e.read(gb))).toEqual([3, 4, 1 + 5 + 7, 2 + 6 + 8]);
    e.free(gb, dxb, tb);
  });
});

describe("fill", () => {
  it.each([0, 1, 3, 4, 7, 13, 64, 101])("matches the reference for n = %i and leaves the next element alone", (n) => {
    const b = e.from(random(new Rng(n), n + 1));
    const want = e.read(b);
    fillRef(want, n, -2.5);
    e.k.fill(b.ptr, n, -2.5);
    expectClose(e.read(b), want, EXACT, "fill");
    e.free(b);
  });
});
