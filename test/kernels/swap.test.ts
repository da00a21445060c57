// assembly/swap.ts against src/engine/reference/swap.ts and against brute force: Δ(k) must equal
// the full connection cost after physically swapping positions j and k minus the cost before, and
// a relocate driven by the kernel must make the same choices as one driven by full recomputation.
import { describe, expect, it } from "vitest";
import { createEngineSync, type Buf } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { importanceRef, swapScoresRef } from "../../src/engine/reference/swap.ts";
import { expectClose } from "../helpers/expect-close.ts";

const e = createEngineSync();

/** One neuron layer of n positions with its incoming (n,fanIn) and outgoing (fanOut, fold·n) weights. */
interface Layer {
  n: number;
  fanIn: number;
  fanOut: number;
  fold: number;
  wIn: Float32Array;
  dIn: Float32Array;
  wOut: Float32Array;
  dOut: Float32Array;
  sIn: number;
  sOut: number;
}

/**
 * 1-D coordinates (i + 0.5)/size, coefficients A·|Δx| + l0 as the trainer builds them; or, with
 * `randomD`, arbitrary non-negative coefficients (the formula holds for any d).
 */
function makeLayer(seed: number, n: number, fanIn: number, fanOut: number, fold = 1, randomD = false): Layer {
  const rng = new Rng(seed);
  const [A, l0] = [2, 0.5];
  const x = (i: number, size: number) => (i + 0.5) / size;
  const coef = (a: number, b: number) => (randomD ? rng.range(0, 3) : Math.fround(A * Math.abs(a - b) + l0));
  const weight = () => (rng.int(5) === 0 ? 0 : rng.range(-1, 1)); // some exact zeros, as L1 produces
  const wIn = Float32Array.from({ length: n * fanIn }, weight);
  const dIn = Float32Array.from({ length: n * fanIn }, (_, i) =>
    coef(x(Math.floor(i / fanIn), n), x(i % fanIn, fanIn)));
  const wOut = Float32Array.from({ length: fanOut * fold * n }, weight);
  const dOut = Float32Array.from({ length: fanOut * fold * n }, (_, i) =>
    coef(x(Math.floor(i / (fold * n)), fanOut), x(i % n, n)));
  return { n, fanIn, fanOut, fold, wIn, dIn, wOut, dOut, sIn: 0.75, sOut: 1.25 };
}

/** The full connection cost of the two weight layers, in f64. */
function fullCost(L: Layer): number {
  let cin = 0;
  for (let i = 0; i < L.wIn.length; i++) cin += Math.abs(L.wIn[i]) * L.dIn[i];
  let cout = 0;
  for (let i = 0; i < L.wOut.length; i++) cout += Math.abs(L.wOut[i]) * L.dOut[i];
  return L.sIn * cin + L.sOut * cout;
}

/** Physically swaps neurons j and k: rows of wIn, columns of wOut in every fold. Distances stay. */
function swapNeurons(L: Layer, j: number, k: number): void {
  for (let m = 0; m < L.fanIn; m++) {
    const t = L.wIn[j * L.fanIn + m];
    L.wIn[j * L.fanIn + m] = L.wIn[k * L.fanIn + m];
    L.wIn[k * L.fanIn + m] = t;
  }
  for (let r = 0; r < L.fanOut * L.fold; r++) {
    const t = L.wOut[r * L.n + j];
    L.wOut[r * L.n + j] = L.wOut[r * L.n + k];
    L.wOut[r * L.n + k] = t;
  }
}

function bruteDeltas(L: Layer, j: number): Float64Array {
  const before = fullCost(L);
  return Float64Array.from({ length: L.n }, (_, k) => {
    const S = { ...L, wIn: L.wIn.slice(), wOut: L.wOut.slice() };
    swapNeurons(S, j, k);
    return fullCost(S) - before;
  });
}

/** First index of the minimum: ties go to the lowest k, as the spec asks. */
function argmin(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] < a[best]) best = i;
  return best;
}

/** Copies a layer into WASM memory; 0-length sides get a 1-element placeholder (never read). */
function upload(L: Layer): { wIn: Buf; dIn: Buf; wOut: Buf; dOut: Buf; out: Buf } {
  const put = (a: Float32Array) => e.from(a.length ? a : [0]);
  return { wIn: put(L.wIn), dIn: put(L.dIn), wOut: put(L.wOut), dOut: put(L.dOut), out: e.alloc(L.n) };
}

function kernelScores(L: Layer, bufs: ReturnType<typeof upload>, j: number): Float32Array {
  e.k.swapScores(bufs.wIn.ptr, bufs.dIn.ptr, L.fanIn, bufs.wOut.ptr, bufs.dOut.ptr, L.fanOut, L.n, L.fold, L.sIn,
    L.sOut, j, bufs.out.ptr);
  return e.read(bufs.out);
}

// [n, fanIn, fanOut, fold]: hidden layers, an input layer (fanIn 0, also folded), an output layer.
const CASES: [number, number, number, number][] = [
  [1, 3, 2, 1], [3, 5, 7, 1], [5, 7, 3, 1], [7, 13, 5, 1], [13, 31, 7, 1], [31, 13, 64, 1], [64, 100, 10, 1],
  [8, 0, 5, 2], [13, 0, 7, 1], [10, 13, 0, 1],
];

describe("importance", () => {
  it.each(CASES)("matches the reference for n = %i, fanIn = %i, fanOut = %i, fold = %i", (n, fanIn, fanOut, fold) => {
    const L = makeLayer(n * 7 + fanIn, n, fanIn, fanOut, fold);
    const bufs = upload(L);
    e.k.importance(bufs.wIn.ptr, fanIn, bufs.wOut.ptr, fanOut, n, fold, bufs.out.ptr);
    const want = new Float64Array(n);
    importanceRef(L.wIn, fanIn, L.wOut, fanOut, n, fold, want);
    expectClose(e.read(bufs.out), want, { atol: 1e-6, rtol: 1e-6 }, "importance");
    e.free(...Object.values(bufs));
  });

  it("sums a hand-worked layer", () => {
    // n = 2, fanIn = 2, fanOut = 1, fold = 1: out[0] = |1| + |−2| + |5|, out[1] = |3| + |0| + |−7|
    const [wIn, wOut, out] = [e.from([1, -2, 3, 0]), e.from([5, -7]), e.alloc(2)];
    e.k.importance(wIn.ptr, 2, wOut.ptr, 1, 2, 1, out.ptr);
    expect(Array.from(e.read(out))).toEqual([8, 10]);
    e.free(wIn, wOut, out);
  });
});

describe("swapScores", () => {
  it.each(CASES)("reference and kernel equal brute force for n = %i, fanIn = %i, fanOut = %i, fold = %i",
    (n, fanIn, fanOut, fold) => {
      for (const randomD of [false, true]) {
        const L = makeLayer(n * 31 + fanOut, n, fanIn, fanOut, fold, randomD);
        const bufs = upload(L);
        for (const j of new Set([0, n >> 1, n - 1])) {
          const brute = bruteDeltas(L, j);
          const ref = new Float64Array(n);
          swapScoresRef(L.wIn, L.dIn, fanIn, L.wOut, L.dOut, fanOut, n, fold, L.sIn, L.sOut, j, ref);
          expectClose(ref, brute, { atol: 1e-10, rtol: 1e-9 }, `reference j=${j}`);
          const got = kernelScores(L, bufs, j);
          // f32 products and an f32 result: error ≈ 1e-7 of the cost of the two rows involved.
          expectClose(got, brute, { atol: 1e-5, rtol: 1e-5 }, `kernel j=${j}`);
          expect(got[j], "Δ(j) = 0").toBe(0);
          expect(argmin(got), `argmin j=${j}`).toBe(argmin(brute));
        }
        e.free(...Object.values(bufs));
      }
    });

  it("a relocate driven by the kernel makes the same choices as full recomputation", () => {
    // Hidden layer 31 of a 20-31-17 net, top_k = 10 by importance, swaps applied one after another.
    const L = makeLayer(99, 31, 20, 17);
    const bufs = upload(L);
    e.k.importance(bufs.wIn.ptr, L.fanIn, bufs.wOut.ptr, L.fanOut, L.n, 1, bufs.out.ptr);
    const imp = e.read(bufs.out);
    const top = Array.from(imp.keys()).sort((a, b) => imp[b] - imp[a] || a - b).slice(0, 10);
    const start = fullCost(L);
    let moved = 0;
    for (const j of top) {
      const k = argmin(kernelScores(L, bufs, j));
      expect(k, `choice for j=${j}`).toBe(argmin(bruteDeltas(L, j)));
      swapNeurons(L, j, k);
      e.write(bufs.wIn, L.wIn);
      e.write(bufs.wOut, L.wOut);
      if (k !== j) moved++;
    }
    expect(moved, "some neurons moved").toBeGreaterThan(0);
    expect(fullCost(L)).toBeLessThan(start);
    e.free(...Object.values(bufs));
  });

  it("gives exact zeros, hence the lowest k, when every weight is zero", () => {
    const L = makeLayer(5, 13, 7, 5);
    L.wIn.fill(0);
    L.wOut.fill(0);
    const bufs = upload(L);
    const got = kernelScores(L, bufs, 6);
    expect(Array.from(got)).toEqual(new Array(13).fill(0));
    expect(argmin(got)).toBe(0);
    e.free(...Object.values(bufs));
  });
});
