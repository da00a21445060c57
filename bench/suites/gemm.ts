// GEMM: f32 C = op(A) @ op(B) with the brainwire kernel, tfjs-wasm matMul (XNNPACK, one thread) and the
// plain-JS reference, each validated against the reference before it is timed. brainwire and tfjs are
// timed in alternation; the plain-JS loop (up to a second per call) on its own.
import { Rng } from "../../src/engine/random.ts";
import { gemmRef } from "../../src/engine/reference/gemm.ts";
import { checkClose, measure, measureInterleaved, type Measure, type Suite } from "../harness.ts";

interface GemmCase {
  label: string;
  transA: 0 | 1;
  transB: 0 | 1;
  M: number;
  N: number;
  K: number;
  target?: number; // speedup over tfjs-wasm that docs/benchmarks.md asks for
}

// Square sizes of docs/benchmarks.md, then the MLP's own products (forward X·Wᵀ, weight gradient dZᵀ·X).
const CASES: GemmCase[] = [
  { label: "64×64×64", transA: 0, transB: 0, M: 64, N: 64, K: 64 },
  { label: "256×256×256", transA: 0, transB: 0, M: 256, N: 256, K: 256, target: 1 },
  { label: "512×512×512", transA: 0, transB: 0, M: 512, N: 512, K: 512, target: 1 },
  { label: "X·Wᵀ 200×20×20", transA: 0, transB: 1, M: 200, N: 20, K: 20 },
  { label: "X·Wᵀ 100×100×784", transA: 0, transB: 1, M: 100, N: 100, K: 784 },
  { label: "dZᵀ·X 100×784×100", transA: 1, transB: 0, M: 100, N: 784, K: 100 },
];
// Quick: the headline square and the MLP's own products; smoke: odd sizes, both operands transposed.
const QUICK = [CASES[0], CASES[1], CASES[4], CASES[5]];
const SMOKE: GemmCase[] = [{ label: "Aᵀ·Bᵀ 13×7×9", transA: 1, transB: 1, M: 13, N: 7, K: 9 }];

// f32 sums of K products of values in [-1, 1): errors grow like √K·ε, far below this
const tolerance = (K: number) => ({ atol: 1e-6 * K, rtol: 1e-4 });

export const gemmSuite: Suite = {
  name: "gemm",
  async run(ctx) {
    const tf = await ctx.tf();
    const { engine } = ctx;
    for (const { label, transA, transB, M, N, K, target } of ctx.choose({ full: CASES, quick: QUICK, smoke: SMOKE })) {
      const rng = new Rng(M * N * K);
      // stored shapes: A is (M,K) or, transposed, (K,M); B is (K,N) or (N,K)
      const [lda, ldb] = [transA ? M : K, transB ? K : N];
      const a = Float32Array.from({ length: M * K }, () => rng.range(-1, 1));
      const b = Float32Array.from({ length: K * N }, () => rng.range(-1, 1));
      const want = new Float32Array(M * N);
      gemmRef(transA, transB, M, N, K, a, lda, b, ldb, want, N, 0);
      const { atol, rtol } = tolerance(K);
      const gflops = (m: Measure) => ({ ...m, rate: `${((2 * M * N * K) / m.ms / 1e6).toFixed(1)} GFLOP/s` });

      const ab = engine.from(a);
      const bb = engine.from(b);
      const cb = engine.alloc(M * N);
      const run = () => engine.k.gemm(transA, transB, M, N, K, ab.ptr, lda, bb.ptr, ldb, cb.ptr, N, 0);
      run();
      checkClose(engine.f32(cb), want, atol, rtol, `gemm ${label}: brainwire vs reference`);

      const ta = tf.tensor2d(a, transA ? [K, M] : [M, K]);
      const tb = tf.tensor2d(b, transB ? [N, K] : [K, N]);
      const matMul = () => tf.matMul(ta, tb, transA === 1, transB === 1);
      const tc = matMul();
      checkClose(tc.dataSync(), want, atol, rtol, `gemm ${label}: tfjs-wasm vs reference`);
      tc.dispose();

      const timed = measureInterleaved({ ours: run, tfjs: () => matMul().dispose() }, { minMs: 500 });
      engine.free(ab, bb, cb);
      tf.dispose([ta, tb]);

      const c = new Float32Array(M * N);
      const jsRun = () => gemmRef(transA, transB, M, N, K, a, lda, b, ldb, c, N, 0);
      const js = gflops(measure(jsRun, { minSamples: 3, minMs: 100 }));

      ctx.add({
        suite: "gemm",
        case: label,
        ours: gflops(timed.ours),
        baselines: { "tfjs-wasm": gflops(timed.tfjs), "plain JS": js },
        targets: target ? [{ baseline: "tfjs-wasm", ratio: target }] : undefined,
      });
    }
  },
};
