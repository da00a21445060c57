// The three symbolic regression tasks of Liu et al. (arXiv 2305.08746, §4.1) with their reference settings
// (docs/data.md). x ~ U[−1, 1] per feature; targets computed in f64 and rounded to f32 once. sin comes from the
// WASM module (engine.k.sin64) so the bits are the same on every runtime.
import type { Engine } from "../engine/engine.ts";
import { Rng } from "../engine/random.ts";
import type { Dataset, LambdaPhase, Task, TrainSettings } from "./types.ts";
import { numberedNames } from "./split.ts";
import { mlpSettings } from "./reference-settings.ts";

const TRAIN = 100;
const TEST = 100;

/** f(x, out): x is one example (f64 values of the f32 inputs), out receives the targets. */
type Formula = (engine: Engine, x: Float64Array, out: Float64Array) => void;

function symbolicSettings(shape: number[], lambda: LambdaPhase[]): TrainSettings {
  return mlpSettings({ model: { shape, layout: "line", inFold: 1 }, loss: "mse", steps: 20000, lambda, l0: 0.1, topK: 5,
    biasPenaltyFrom: 0.75 });
}

/**
 * Draws TRAIN + TEST examples from one stream: the first TRAIN are train, the rest test. Inputs are drawn
 * example by example, feature by feature, so a row's inputs do not depend on the output dimension.
 */
export function makeSymbolic(engine: Engine, seed: number, dIn: number, dOut: number, f: Formula): Dataset {
  const rng = new Rng(seed);
  const split = (n: number) => {
    const x = new Float32Array(n * dIn);
    const y = new Float32Array(n * dOut);
    const xi = new Float64Array(dIn);
    const yi = new Float64Array(dOut);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < dIn; c++) xi[c] = x[r * dIn + c] = rng.range(-1, 1);
      f(engine, xi, yi);
      for (let c = 0; c < dOut; c++) y[r * dOut + c] = yi[c]; // f32 rounding happens here
    }
    return { n, x, y };
  };
  const train = split(TRAIN);
  const test = split(TEST);
  return {
    kind: "regression",
    inputDim: dIn,
    outputDim: dOut,
    train,
    test,
    inputNames: numberedNames("x", dIn),
    outputNames: numberedNames("y", dOut),
  };
}

const lambdaThreeStage: LambdaPhase[] = [
  { from: 0, value: 1e-3 },
  { from: 5000, value: 1e-2 },
  { from: 15000, value: 1e-3 },
];

export const symbolicIndependence: Task = {
  name: "symbolic-independence",
  description: "Two independent formulas: y1 = (x1+x3)^3, y2 = x2^2 + sin(pi*x4); x ~ U[-1,1], 100 train / 100 test.",
  settings: symbolicSettings([4, 20, 20, 2], lambdaThreeStage),
  groundTruth: [
    [0, 2],
    [1, 3],
  ],
  make: (engine, seed) =>
    makeSymbolic(engine, seed, 4, 2, (e, x, y) => {
      const s = x[0] + x[2];
      y[0] = s * s * s; // explicit products: Math.pow / ** are not guaranteed correctly rounded
      y[1] = x[1] * x[1] + e.k.sin64(Math.PI * x[3]);
    }),
};

export const symbolicSharing: Task = {
  name: "symbolic-sharing",
  description:
    "Feature sharing: y1 = x1^2, y2 = x1^2 + x2^2, y3 = x1^2 + x2^2 + x3^2; x ~ U[-1,1], 100 train / 100 test.",
  settings: symbolicSettings([3, 20, 20, 3], lambdaThreeStage),
  groundTruth: [[0], [0, 1], [0, 1, 2]],
  make: (engine, seed) =>
    makeSymbolic(engine, seed, 3, 3, (_e, x, y) => {
      const a = x[0] * x[0];
      const b = a + x[1] * x[1];
      y[0] = a;
      y[1] = b;
      y[2] = b + x[2] * x[2];
    }),
};

export const symbolicComposition: Task = {
  name: "symbolic-composition",
  description: "Compositionality: y = sqrt((x1-x2)^2 + (x3-x4)^2); x ~ U[-1,1], 100 train / 100 test.",
  settings: symbolicSettings([4, 20, 20, 20, 20, 1], [
    { from: 0, value: 1e-3 },
    { from: 5000, value: 3e-3 },
  ]),
  groundTruth: [[0, 1, 2, 3]],
  // Math.sqrt is correctly rounded by IEEE 754, so it is deterministic across runtimes (unlike sin/exp/log).
  make: (engine, seed) =>
    makeSymbolic(engine, seed, 4, 1, (_e, x, y) => {
      const a = x[0] - x[1];
      const b = x[2] - x[3];
      y[0] = Math.sqrt(a * a + b * b);
    }),
};
