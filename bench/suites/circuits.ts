// Circuit suites besides ACDC: EAP scores for every edge of the MNIST-shaped MLP (budget ≤ 100 ms,
// 1,000 examples) and circuit inference as a sparse CSR network against the dense model at 5% edge
// density (target ≥ 5×), both validated before timing.
import { eap, eapIg } from "../../src/circuits/eap.ts";
import { SparseNetwork } from "../../src/circuits/sparse.ts";
import type { DiscoveryData } from "../../src/circuits/types.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { Pass, uploadInputs } from "../../src/model/pass.ts";
import { checkClose, measure, measureInterleaved, type Suite } from "../harness.ts";
import { budget } from "./train.ts";

const SPEC = { shape: [784, 100, 100, 10], layout: "grid" as const, inFold: 1 };
const N = 1000;

export const circuitsSuite: Suite = {
  name: "circuits",
  async run(ctx) {
    const e = ctx.engine;
    const rng = new Rng(7);
    const model = Mlp.init(e, SPEC, rng);
    // MNIST-like inputs: about 80% of pixels are 0.
    const image = () => Float32Array.from({ length: N * 784 }, () => (rng.uniform() < 0.8 ? 0 : rng.uniform()));
    const data: DiscoveryData = { n: N, clean: image(), corrupted: image(), labels: Int32Array.from({ length: N }, () => rng.int(10)) };

    // Validate: chunked EAP equals one call over every example.
    const whole = eap(model, data, { ablation: "resample", metric: "nll" });
    const chunked = eap(model, data, { ablation: "resample", metric: "nll", chunk: 300 });
    const scale = Math.max(...whole.map((s) => s.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    whole.forEach((s, l) => checkClose(chunked[l], s, 1e-5 * scale, 1e-4, `EAP layer ${l}: chunked vs whole`));
    for (const ablation of ["zero", "resample"] as const) {
      ctx.add({
        suite: "circuits",
        case: `EAP, ${ablation}, 89,400 edges × 1,000 examples`,
        ours: measure(() => eap(model, data, { ablation, metric: "nll" }), { minMs: 1000 }),
        baselines: { budget: budget(100) },
        targets: [{ baseline: "budget", ratio: 1 }],
      });
    }
    const ig = measure(() => eapIg(model, data, { ablation: "resample", metric: "nll", steps: 5 }), { minMs: 1000 });
    console.log(`  EAP-IG (m = 5), resample: ${ig.ms.toFixed(1)} ms`);

    // Circuit inference: a random 5% mask, the dense model with the pruned weights set to zero.
    const mask = SPEC.shape.slice(1).map((nOut, l) =>
      Uint8Array.from({ length: nOut * SPEC.shape[l] }, () => (rng.uniform() < 0.05 ? 1 : 0)));
    const snap = model.toSnapshot();
    snap.layers.forEach((layer, l) => layer.weight.forEach((_, i) => mask[l][i] || (layer.weight[i] = 0)));
    const dense = Mlp.fromSnapshot(e, snap);
    const x = uploadInputs(e, data.clean, 784);
    const net = SparseNetwork.fromMask(dense, mask, N);
    const pass = new Pass(dense, N);
    const runDense = () => {
      pass.load(x, null, 0, N);
      pass.forward(N);
    };
    runDense();
    checkClose(net.forwardInputs(x), pass.readOutputs(N), 0, 0, "sparse vs masked dense");
    const t = measureInterleaved({ sparse: () => net.forwardInputs(x), dense: runDense }, { minMs: 1000 });
    ctx.add({
      suite: "circuits",
      case: `circuit inference, ${net.nnz} of 89,400 edges (5%), 1,000 examples`,
      ours: t.sparse,
      baselines: { dense: t.dense },
      targets: [{ baseline: "dense", ratio: 5 }],
    });
    pass.dispose();
    net.dispose();
    dense.dispose();
    model.dispose();
    e.free(x.buf);
  },
};
