// Circuit inference at 5% edge density on the MNIST-shaped MLP, sparse (CSR) against dense (the same
// model with its pruned weights set to zero), 1,000 examples already in WASM memory, timed in
// alternation (performance spec target: ≥ 5×). Timings are printed, not asserted: shared machines are
// noisy. The check is that both give the same outputs.
import { expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { Pass, uploadInputs } from "../../src/model/pass.ts";
import { SparseNetwork } from "../../src/circuits/sparse.ts";

it("runs a 5% circuit of the 784-100-100-10 MLP faster than the dense model", () => {
  const e = createEngineSync();
  const spec = { shape: [784, 100, 100, 10], layout: "grid" as const, inFold: 1 };
  const rng = new Rng(1);
  const full = Mlp.init(e, spec, rng);
  const mask = spec.shape.slice(1).map((nOut, l) =>
    Uint8Array.from({ length: nOut * spec.shape[l] }, () => (rng.uniform() < 0.05 ? 1 : 0)));
  const snap = full.toSnapshot();
  full.dispose();
  snap.layers.forEach((layer, l) => layer.weight.forEach((_, i) => mask[l][i] || (layer.weight[i] = 0)));
  const dense = Mlp.fromSnapshot(e, snap);
  const n = 1000;
  const x = uploadInputs(e, Float32Array.from({ length: n * 784 }, () => rng.uniform()), 784);
  const net = SparseNetwork.fromMask(dense, mask, n);
  const pass = new Pass(dense, n);
  const runDense = () => {
    pass.load(x, null, 0, n);
    pass.forward(n);
    return pass.readOutputs(n);
  };
  expect(Array.from(net.forwardInputs(x))).toEqual(Array.from(runDense()));
  const td: number[] = [];
  const ts: number[] = [];
  for (let r = 0; r < 30; r++) {
    let t0 = performance.now();
    runDense();
    td.push(performance.now() - t0);
    t0 = performance.now();
    net.forwardInputs(x);
    ts.push(performance.now() - t0);
  }
  const median = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
  console.log(`circuit inference, ${net.nnz} of 89,400 edges, ${n} examples: dense ${median(td).toFixed(2)} ms, ` +
    `sparse ${median(ts).toFixed(2)} ms, ratio ${(median(td) / median(ts)).toFixed(2)}×`);
  pass.dispose();
  net.dispose();
  dense.dispose();
  e.free(x.buf);
});
