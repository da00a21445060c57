// Inference speed (docs/study.md, protocol step 3): samples/s of the dense model and of its circuit run
// as a sparse CSR network, on the same inputs already in WASM memory, each pass returning the outputs
// in original order. Small held-out sets take microseconds, so one timed repetition loops over them
// until it has run for minMs; the median over repetitions resists a stray GC pause.
import { SparseNetwork } from "../circuits/sparse.ts";
import type { EdgeMask } from "../circuits/types.ts";
import type { Mlp } from "../model/mlp.ts";
import { Pass, uploadInputs } from "../model/pass.ts";

export interface Throughput {
  examples: number;
  repetitions: number;
  denseSamplesPerSecond: number;
  circuitSamplesPerSecond: number;
  /** Kept edges the sparse network evaluates (dangling ones are dropped). */
  circuitEdges: number;
}

/** Rows per kernel call for both networks (SparseNetwork's default chunk). */
const ROWS = 1024;

export function measureThroughput(model: Mlp, mask: EdgeMask, x: Float32Array | Int32Array, width: number,
  opts: { repetitions: number; minMs: number }): Throughput {
  const e = model.engine;
  const data = uploadInputs(e, x, width);
  const n = data.n;
  const pass = new Pass(model, Math.min(ROWS, Math.max(1, n)));
  const sparse = SparseNetwork.fromMask(model, mask, ROWS);
  try {
    const dense = (): void => {
      for (let s = 0; s < n; s += pass.rows) {
        const count = Math.min(pass.rows, n - s);
        pass.load(data, null, s, count);
        pass.forward(count);
        pass.readOutputs(count);
      }
    };
    return {
      examples: n,
      repetitions: opts.repetitions,
      denseSamplesPerSecond: samplesPerSecond(dense, n, opts),
      circuitSamplesPerSecond: samplesPerSecond(() => sparse.forwardInputs(data), n, opts),
      circuitEdges: sparse.nnz,
    };
  } finally {
    sparse.dispose();
    pass.dispose();
    e.free(data.buf);
  }
}

/** Median over repetitions of n · passes / seconds, each repetition running passes for ≥ minMs. */
export function samplesPerSecond(pass: () => void, n: number, opts: { repetitions: number; minMs: number }): number {
  pass(); // warm-up: first-call costs are not throughput
  const rates: number[] = [];
  for (let r = 0; r < opts.repetitions; r++) {
    let passes = 0;
    const t0 = performance.now();
    let ms = 0;
    do {
      pass();
      passes++;
      ms = performance.now() - t0;
    } while (ms < opts.minMs);
    rates.push((n * passes) / (Math.max(ms, 1e-3) / 1000));
  }
  rates.sort((a, b) => a - b);
  const mid = rates.length >> 1;
  return rates.length % 2 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
}
