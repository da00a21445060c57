// Neuron coordinates and in-layer wire distances (docs/training.md "Model"). Coordinates belong to
// positions, not to neurons: a swap moves weights between fixed positions, so every distance
// matrix here is computed once per model and never changes.
import { slotCount, type ModelSpec } from "./spec.ts";

export interface LayerCoords {
  x: Float64Array;
  y: Float64Array; // 0 for the 1-D layout
}

/** Coordinates of the x-slots of neuron layer `l` (0 = input, shape.length−1 = output). */
export function layerCoords(spec: ModelSpec, l: number): LayerCoords {
  const n = slotCount(spec, l);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const last = spec.shape.length - 1;
  if (spec.layout === "line") {
    for (let i = 0; i < n; i++) x[i] = (i + 0.5) / n;
  } else if (l === last) {
    // Outputs on a ring of radius 0.25 around the centre.
    for (let k = 0; k < n; k++) {
      const a = (2 * Math.PI * (k + 0.5)) / n;
      x[k] = 0.5 + 0.25 * seriesCos(a);
      y[k] = 0.5 + 0.25 * seriesCos(a - Math.PI / 2);
    }
  } else {
    const side = Math.ceil(Math.sqrt(n));
    for (let i = 0; i < n; i++) {
      x[i] = ((i % side) + 0.5) / side;
      y[i] = (Math.floor(i / side) + 0.5) / side;
    }
  }
  return { x, y };
}

/**
 * Raw distances between the neurons of weight layer `l` (neuron layer l → l+1), shaped like its
 * weight matrix: out × in, where the input of layer 0 has inFold · slots columns (column f·n+s
 * sits at slot s). 1-D: |Δx|; grid: Manhattan |Δx| + |Δy|.
 */
export function distanceMatrix(spec: ModelSpec, l: number): Float32Array {
  const from = layerCoords(spec, l);
  const to = layerCoords(spec, l + 1);
  const nIn = spec.shape[l];
  const nOut = spec.shape[l + 1];
  const slots = from.x.length;
  const d = new Float32Array(nOut * nIn);
  for (let o = 0; o < nOut; o++) {
    for (let i = 0; i < nIn; i++) {
      const s = i % slots;
      d[o * nIn + i] = Math.abs(to.x[o] - from.x[s]) + Math.abs(to.y[o] - from.y[s]);
    }
  }
  return d;
}

/**
 * cos by its Taylor series after reduction to [−π, π]: only + and ×, so the bits are the same on
 * every JS engine (Math.cos may differ in the last place). Accurate to ~1e-15; used for layout only.
 */
function seriesCos(a: number): number {
  const r = a - 2 * Math.PI * Math.round(a / (2 * Math.PI));
  const r2 = r * r;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 30; k++) {
    term *= -r2 / ((2 * k - 1) * (2 * k));
    sum += term;
  }
  return sum;
}
