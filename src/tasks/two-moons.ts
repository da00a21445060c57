// Two moons (Liu et al. §4.2) with sklearn.datasets.make_moons semantics: outer half circle (cos t, sin t) is
// class 0, inner half circle (1 − cos t, 1 − sin t − 0.5) is class 1, t evenly spaced over [0, π]
// (np.linspace, endpoints included), then Gaussian noise N(0, noise²) on both coordinates.
// Train and test are two independent make_moons draws (as the reference calls it twice): the same 100 + 100
// t values per split, different noise, then a seeded shuffle of each split.
import type { Engine } from "../engine/engine.ts";
import { Rng } from "../engine/random.ts";
import type { Dataset, Split, Task } from "./types.ts";
import { mlpSettings } from "./reference-settings.ts";

export const TWO_MOONS_NOISE = 0.1;

/** One make_moons draw of n points; labels exactly balanced for even n (outer gets floor(n/2)). */
export function makeMoons(engine: Engine, rng: Rng, n: number, noise: number): Split {
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const pts = new Float64Array(n * 2);
  const labels = new Int32Array(n);
  const linspace = (i: number, m: number) => (m === 1 ? 0 : (Math.PI * i) / (m - 1));
  for (let i = 0; i < nOut; i++) {
    const t = linspace(i, nOut);
    pts[2 * i] = engine.k.cos64(t);
    pts[2 * i + 1] = engine.k.sin64(t);
  }
  for (let i = 0; i < nIn; i++) {
    const t = linspace(i, nIn);
    const r = nOut + i;
    pts[2 * r] = 1 - engine.k.cos64(t);
    pts[2 * r + 1] = 1 - engine.k.sin64(t) - 0.5;
    labels[r] = 1;
  }
  // Shuffle first, then add noise in shuffled order (make_moons does the same).
  const order = rng.permutation(n);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const src = order[r];
    x[2 * r] = pts[2 * src] + noise * rng.normal(engine);
    x[2 * r + 1] = pts[2 * src + 1] + noise * rng.normal(engine);
    y[r] = labels[src];
  }
  return { n, x, y };
}

export const twoMoons: Task = {
  name: "two-moons",
  description: "Two interleaving half circles (sklearn make_moons, noise 0.1), 2 classes, 200 train / 200 test.",
  settings: mlpSettings({
    model: { shape: [2, 20, 20, 2], layout: "line", inFold: 1 },
    loss: "ce",
    steps: 10000,
    lambda: [
      { from: 0, value: 1e-3 },
      { from: 5000, value: 1e-2 },
    ],
  }),
  make(engine, seed): Dataset {
    const rng = new Rng(seed);
    const train = makeMoons(engine, rng, 200, TWO_MOONS_NOISE);
    const test = makeMoons(engine, rng, 200, TWO_MOONS_NOISE);
    return {
      kind: "classification",
      inputDim: 2,
      outputDim: 2,
      train,
      test,
      inputNames: ["x1", "x2"],
      outputNames: ["outer", "inner"],
    };
  },
};
