// Circuit suites besides ACDC: EAP scores for every edge of the MNIST-shaped MLP (budget ≤ 100 ms,
// 1,000 examples) and circuit inference as a sparse CSR network against the dense model at 5% edge
// density (target ≥ 5×), both validated before timing.
import { eap, eapExact, eapIg } from "../../src/circuits/eap.ts";
import type { Engine } from "../../src/engine/engine.ts";
import { SparseNetwork } from "../../src/circuits/sparse.ts";
import type { DiscoveryData } from "../../src/circuits/types.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { Pass, uploadInputs } from "../../src/model/pass.ts";
import { checkClose, measure, measureInterleaved, type Suite } from "../harness.ts";
import { budget } from "./train.ts";

const MNIST_SHAPE = [784, 100, 100, 10];
const SMOKE_SHAPE = [20, 12, 8, 4];

/** EAP against eapExact on a 9-7-5-3 net and 6 examples (tolerance as in the EAP tests). */
function checkEapExact(e: Engine, ablation: "zero" | "resample"): void {
  const rng = new Rng(11);
  const spec = { shape: [9, 7, 5, 3], layout: "grid" as const, inFold: 1 };
  const m = Mlp.init(e, spec, rng);
  const n = 6;
  const inputs = () => Float32Array.from({ length: n * 9 }, () => rng.range(-1, 1));
  const d: DiscoveryData = { n, clean: inputs(), corrupted: inputs(), labels: Int32Array.from({ length: n }, () => rng.int(3)) };
  const opts = { ablation, metric: "nll" as const };
  const want = eapExact(m, d, opts);
  const got = eap(m, d, opts);
  const scale = Math.max(...want.map((w) => w.reduce((x, v) => Math.max(x, Math.abs(v)), 0)));
  want.forEach((w, l) => checkClose(got[l], w, 2e-5 * scale, 2e-4, `EAP ${ablation} 9-7-5-3 layer ${l}: vs eapExact`));
  m.dispose();
}

export const circuitsSuite: Suite = {
  name: "circuits",
  async run(ctx) {
    const e = ctx.engine;
    const rng = new Rng(7);
    const shape = ctx.choose({ full: MNIST_SHAPE, quick: MNIST_SHAPE, smoke: SMOKE_SHAPE });
    const N = ctx.choose({ full: 1000, quick: 1000, smoke: 30 });
    const spec = { shape, layout: "grid" as const, inFold: 1 };
    const d = shape[0];
    const edges = shape.slice(1).reduce((sum, n, l) => sum + n * shape[l], 0);
    const size = `${edges.toLocaleString("en")} edges × ${N.toLocaleString("en")} examples`;
    const model = Mlp.init(e, spec, rng);
    // MNIST-like inputs: about 80% of pixels are 0.
    const image = () => Float32Array.from({ length: N * d }, () => (rng.uniform() < 0.8 ? 0 : rng.uniform()));
    const classes = shape[shape.length - 1];
    const data: DiscoveryData = { n: N, clean: image(), corrupted: image(), labels: Int32Array.from({ length: N }, () => rng.int(classes)) };

    // Validate each ablation before timing it: on a small net, EAP's scores equal its exact twin's (two patched
    // f64 passes per edge, a central difference); on the timed net, chunked EAP equals one call.
    for (const ablation of ctx.choose({ full: ["zero", "resample"] as const, quick: ["resample"] as const, smoke: ["resample"] as const })) {
      checkEapExact(e, ablation);
      const whole = eap(model, data, { ablation, metric: "nll" });
      const chunked = eap(model, data, { ablation, metric: "nll", chunk: Math.ceil(N / 3) });
      const scale = Math.max(...whole.map((s) => s.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
      whole.forEach((s, l) => checkClose(chunked[l], s, 1e-5 * scale, 1e-4, `EAP ${ablation} layer ${l}: chunked vs whole`));
      ctx.add({
        suite: "circuits",
        case: `EAP, ${ablation}, ${size}`,
        ours: measure(() => eap(model, data, { ablation, metric: "nll" }), { minMs: 1000 }),
        baselines: { budget: budget(100) },
        targets: [{ baseline: "budget", ratio: 1 }],
      });
    }
    if (ctx.setting === "full") {
      const ig = measure(() => eapIg(model, data, { ablation: "resample", metric: "nll", steps: 5 }), { minMs: 1000 });
      ctx.note(`EAP-IG (m = 5), resample: ${ig.ms.toFixed(1)} ms`);
    }

    // Circuit inference: a random 5% mask, the dense model with the pruned weights set to zero.
    const mask = shape.slice(1).map((nOut, l) =>
      Uint8Array.from({ length: nOut * shape[l] }, () => (rng.uniform() < 0.05 ? 1 : 0)));
    const snap = model.toSnapshot();
    snap.layers.forEach((layer, l) => layer.weight.forEach((_, i) => mask[l][i] || (layer.weight[i] = 0)));
    const dense = Mlp.fromSnapshot(e, snap);
    const x = uploadInputs(e, data.clean, d);
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
      case: `circuit inference, ${net.nnz} of ${edges.toLocaleString("en")} edges (5%), ${N.toLocaleString("en")} examples`,
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
