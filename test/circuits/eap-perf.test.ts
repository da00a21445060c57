// Timing of EAP on the MNIST-shaped MLP (performance spec: all 89,400 edges in ≤ 100 ms with 1,000
// examples). Timings are printed, not asserted (shared machines are noisy); the check is that the
// chunked run scores the same as one call over all examples.
import { expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { eap, eapIg } from "../../src/circuits/eap.ts";
import type { DiscoveryData } from "../../src/circuits/types.ts";
import { expectClose } from "../helpers/expect-close.ts";

it("scores every edge of the 784-100-100-10 MLP on 1,000 examples", () => {
  const e = createEngineSync();
  const rng = new Rng(7);
  const m = Mlp.init(e, { shape: [784, 100, 100, 10], layout: "grid", inFold: 1 }, rng);
  const n = 1000;
  // MNIST-like sparsity: about 80% of pixels are 0
  const image = () => Float32Array.from({ length: n * 784 }, () => (rng.uniform() < 0.8 ? 0 : rng.uniform()));
  const labels = Int32Array.from({ length: n }, () => rng.int(10));
  const data: DiscoveryData = { n, clean: image(), corrupted: image(), labels };
  const median = (f: () => void) => {
    f();
    const t: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      f();
      t.push(performance.now() - t0);
    }
    return t.sort((a, b) => a - b)[3];
  };
  for (const ablation of ["zero", "mean", "resample"] as const) {
    const ms = median(() => eap(m, data, { ablation, metric: "nll" }));
    console.log(`EAP ${ablation}, 89,400 edges, 1,000 examples: ${ms.toFixed(1)} ms`);
  }
  const ig = median(() => eapIg(m, data, { ablation: "resample", metric: "nll", steps: 5 }));
  console.log(`EAP-IG (m = 5) resample: ${ig.toFixed(1)} ms`);
  const whole = eap(m, data, { ablation: "resample", metric: "nll" });
  const chunked = eap(m, data, { ablation: "resample", metric: "nll", chunk: 300 });
  const scale = Math.max(...whole.map((s) => Math.max(...s.map(Math.abs))));
  whole.forEach((s, l) => expectClose(chunked[l], s, { atol: 1e-5 * scale, rtol: 1e-4 }, `layer ${l}`));
  m.dispose();
});
