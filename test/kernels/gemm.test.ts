// GEMM conformance: one suite, run on the plain-loop reference and on the WASM kernel. Each case builds
// op(A) and op(B) explicitly and multiplies them with a naive triple loop, so the transposes, leading
// dimensions and accumulate flag are checked independently of either implementation.
import { describe, expect, it } from "vitest";
import { createEngineSync, type Engine } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { gemmRef } from "../../src/engine/reference/gemm.ts";
import { expectClose } from "../helpers/expect-close.ts";

type GemmFn = typeof gemmRef;

// Every C element outside the M×N matrix (row padding) starts as this and must stay bit-identical.
const SENTINEL = 12345.5;

// Sizes that hit empty matrices, every tail of the 4×8 micro-tile and the MC=128 / NC=256 / KC=256
// cache blocks (129, 257, 300, 513 cross a block boundary with a ragged remainder).
const SHAPES: [M: number, N: number, K: number][] = [
  [0, 5, 7], [5, 0, 7], [5, 7, 0], [0, 0, 0],
  [1, 1, 1], [3, 5, 7], [7, 3, 5], [5, 7, 3], [13, 17, 33], [17, 13, 65], [33, 65, 17], [65, 33, 13],
  [100, 20, 20], [200, 2, 20], [200, 20, 2], [20, 20, 200], [100, 100, 100],
  [129, 257, 300], [5, 300, 513], [256, 256, 256],
];
const SIZES = [0, 1, 3, 5, 7, 13, 17, 33, 65, 100, 256];

// f32 sums of K products of values in [-1, 1), compared with an f64 sum: rounding grows with K.
const tolerance = (K: number) => ({ atol: 1e-6 * Math.max(K, 1), rtol: 1e-4 });

interface Case {
  transA: number;
  transB: number;
  M: number;
  N: number;
  K: number;
  lda: number;
  ldb: number;
  ldc: number;
  a: Float32Array;
  b: Float32Array;
  c: Float32Array; // C before the call (padding = SENTINEL)
}

function makeCase(rng: Rng, transA: number, transB: number, M: number, N: number, K: number, accumulate: number): Case {
  const pad = () => rng.int(4); // leading dims 0–3 elements longer than a row
  const [aRows, aCols] = transA ? [K, M] : [M, K];
  const [bRows, bCols] = transB ? [N, K] : [K, N];
  const lda = aCols + pad();
  const ldb = bCols + pad();
  const ldc = N + pad();
  const fill = (n: number) => Float32Array.from({ length: n }, () => rng.range(-1, 1));
  const c = new Float32Array(M * ldc).fill(SENTINEL);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) c[i * ldc + j] = accumulate ? rng.range(-1, 1) : NaN;
  return { transA, transB, M, N, K, lda, ldb, ldc, a: fill(aRows * lda), b: fill(bRows * ldb), c };
}

// want (M,N) = (accumulate ? C : 0) + opA (M,K) @ opB (K,N), from explicitly transposed dense copies
function naive(t: Case, accumulate: number): Float64Array {
  const { M, N, K } = t;
  const opA = new Float64Array(M * K);
  const opB = new Float64Array(K * N);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) opA[i * K + k] = t.transA ? t.a[k * t.lda + i] : t.a[i * t.lda + k];
  }
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < N; j++) opB[k * N + j] = t.transB ? t.b[j * t.ldb + k] : t.b[k * t.ldb + j];
  }
  const want = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = accumulate ? t.c[i * t.ldc + j] : 0;
      for (let k = 0; k < K; k++) s += opA[i * K + k] * opB[k * N + j];
      want[i * N + j] = s;
    }
  }
  return want;
}

/** Runs one case through `gemm` and throws (via expect) on any wrong value, touched padding or changed input. */
function checkCase(gemm: GemmFn, t: Case, accumulate: number): void {
  const { M, N, K, ldc } = t;
  const a = t.a.slice();
  const b = t.b.slice();
  const c = t.c.slice();
  gemm(t.transA, t.transB, M, N, K, a, t.lda, b, t.ldb, c, ldc, accumulate);
  const label = `${t.transA ? "T" : "N"}${t.transB ? "T" : "N"} ${M}×${N}×${K} acc=${accumulate}`;
  const got = new Float32Array(M * N);
  for (let i = 0; i < M; i++) got.set(c.subarray(i * ldc, i * ldc + N), i * N);
  expectClose(got, naive(t, accumulate), tolerance(K), label);
  const touched: [number, number][] = [];
  for (let i = 0; i < M; i++) for (let j = N; j < ldc; j++) if (c[i * ldc + j] !== SENTINEL) touched.push([i, j]);
  expect(touched, `${label}: padding of C written at [row, col]`).toEqual([]);
  expect(firstDifference(a, t.a), `${label}: A changed at`).toBe(-1);
  expect(firstDifference(b, t.b), `${label}: B changed at`).toBe(-1);
}

// Bitwise comparison; far faster than toEqual on large typed arrays.
function firstDifference(x: Float32Array, y: Float32Array): number {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const v = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return i;
  return u.length === v.length ? -1 : u.length;
}

/** The shared suite: every transpose combination, accumulate on and off, fixed and random shapes. */
function runGemmSuite(name: string, gemm: GemmFn): void {
  describe(`gemm conformance: ${name}`, () => {
    for (const transA of [0, 1]) {
      for (const transB of [0, 1]) {
        for (const accumulate of [0, 1]) {
          it(`${transA ? "Aᵀ" : "A"}·${transB ? "Bᵀ" : "B"}, accumulate=${accumulate}`, () => {
            const rng = new Rng(1000 + 4 * transA + 2 * transB + accumulate);
            const random = Array.from({ length: 6 }, () => [0, 1, 2].map(() => SIZES[rng.int(SIZES.length)]));
            for (const [M, N, K] of [...SHAPES, ...random]) {
              checkCase(gemm, makeCase(rng, transA, transB, M, N, K, accumulate), accumulate);
            }
          });
        }
      }
    }
  });
}

/** Adapts the WASM kernel to the reference's array signature: copy in, call, copy C back. */
function wasmGemm(engine: Engine): GemmFn {
  return (transA, transB, M, N, K, a, lda, b, ldb, c, ldc, accumulate) => {
    const [ab, bb, cb] = [engine.from(a), engine.from(b), engine.from(c)];
    engine.k.gemm(transA, transB, M, N, K, ab.ptr, lda, bb.ptr, ldb, cb.ptr, ldc, accumulate);
    c.set(engine.f32(cb));
    engine.free(ab, bb, cb);
  };
}

runGemmSuite("reference", gemmRef);
runGemmSuite("wasm", wasmGemm(createEngineSync()));

describe("gemm: wasm kernel", () => {
  it("gives bit-identical results on repeated calls and on a fresh instance", () => {
    const rng = new Rng(7);
    for (const [transA, transB, M, N, K] of [[0, 1, 200, 20, 20], [1, 0, 100, 784, 100], [0, 0, 129, 257, 600]]) {
      const t = makeCase(rng, transA, transB, M, N, K, 1);
      const runs = [createEngineSync(), createEngineSync()].flatMap((engine) => {
        const gemm = wasmGemm(engine);
        return [0, 1].map(() => {
          const c = t.c.slice();
          gemm(transA, transB, M, N, K, t.a, t.lda, t.b, t.ldb, c, t.ldc, 1);
          return c;
        });
      });
      for (const r of runs.slice(1)) expect(firstDifference(r, runs[0])).toBe(-1);
    }
  });

  it("leaves C alone when accumulating an empty product and zeroes it otherwise", () => {
    const gemm = wasmGemm(createEngineSync());
    const c = new Float32Array([1, 2, SENTINEL, 3, 4, SENTINEL]);
    gemm(0, 0, 2, 2, 0, new Float32Array(0), 0, new Float32Array(0), 2, c, 3, 1);
    expect(Array.from(c)).toEqual([1, 2, SENTINEL, 3, 4, SENTINEL]);
    gemm(0, 0, 2, 2, 0, new Float32Array(0), 0, new Float32Array(0), 2, c, 3, 0);
    expect(Array.from(c)).toEqual([0, 0, SENTINEL, 0, 0, SENTINEL]);
  });
});

describe("gemm: the conformance check itself", () => {
  // A kernel that skips the last k must be caught, otherwise the suite proves nothing.
  const dropsLastK: GemmFn = (tA, tB, M, N, K, a, lda, b, ldb, c, ldc, acc) =>
    gemmRef(tA, tB, M, N, Math.max(K - 1, 0), a, lda, b, ldb, c, ldc, acc);
  // A kernel that writes whole ldc-wide rows must be caught by the padding check.
  const clobbersPadding: GemmFn = (tA, tB, M, N, K, a, lda, b, ldb, c, ldc, acc) => {
    gemmRef(tA, tB, M, N, K, a, lda, b, ldb, c, ldc, acc);
    for (let i = 0; i < M; i++) c.fill(0, i * ldc + N, (i + 1) * ldc);
  };

  it("rejects a wrong sum and a write outside the matrix", () => {
    const rng = new Rng(3);
    let t = makeCase(rng, 1, 0, 13, 17, 33, 1);
    expect(() => checkCase(dropsLastK, t, 1)).toThrow(/not close/);
    do t = makeCase(rng, 0, 1, 5, 7, 3, 0);
    while (t.ldc === t.N);
    expect(() => checkCase(clobbersPadding, t, 0)).toThrow(/padding of C written/);
  });
});
