// GEMM: square f32 C = A @ B with the brainwire kernel, tfjs-wasm matMul (XNNPACK, one thread) and the
// plain-JS reference, each validated against the reference before it is timed.
import { Rng } from "../../src/engine/random.ts";
import { gemmRef } from "../../src/engine/reference/gemm.ts";
import { checkClose, measure, type Measure, type Suite } from "../harness.ts";

const SIZES = [64, 256, 512];

// f32 sums of n products of values in [-1, 1): errors grow like √n·ε, far below this
const tolerance = (n: number) => ({ atol: 1e-6 * n, rtol: 1e-4 });

export const gemmSuite: Suite = {
  name: "gemm",
  async run(ctx) {
    const tf = await ctx.tf();
    const { engine } = ctx;
    for (const n of SIZES) {
      const rng = new Rng(n);
      const a = Float32Array.from({ length: n * n }, () => rng.range(-1, 1));
      const b = Float32Array.from({ length: n * n }, () => rng.range(-1, 1));
      const want = new Float32Array(n * n);
      gemmRef(0, 0, n, n, n, a, n, b, n, want, n, 0);
      const { atol, rtol } = tolerance(n);
      const gflops = (m: Measure) => ({ ...m, rate: `${((2 * n ** 3) / m.ms / 1e6).toFixed(1)} GFLOP/s` });

      const ab = engine.from(a);
      const bb = engine.from(b);
      const cb = engine.alloc(n * n);
      const run = () => engine.k.gemm(0, 0, n, n, n, ab.ptr, n, bb.ptr, n, cb.ptr, n, 0);
      run();
      checkClose(engine.f32(cb), want, atol, rtol, `gemm ${n}: brainwire vs reference`);
      const ours = gflops(measure(run));
      engine.free(ab, bb, cb);

      const ta = tf.tensor2d(a, [n, n]);
      const tb = tf.tensor2d(b, [n, n]);
      const tc = tf.matMul(ta, tb);
      checkClose(tc.dataSync(), want, atol, rtol, `gemm ${n}: tfjs-wasm vs reference`);
      tc.dispose();
      const tfjs = gflops(measure(() => tf.matMul(ta, tb).dispose()));
      tf.dispose([ta, tb]);

      const c = new Float32Array(n * n);
      const js = gflops(measure(() => gemmRef(0, 0, n, n, n, a, n, b, n, c, n, 0), { minSamples: 3, minMs: 100 }));

      ctx.add({
        suite: "gemm",
        case: `${n}×${n}×${n}`,
        ours,
        baselines: { "tfjs-wasm": tfjs, "plain JS": js },
        target: n >= 256 ? { baseline: "tfjs-wasm", ratio: 1 } : undefined,
      });
    }
  },
};
