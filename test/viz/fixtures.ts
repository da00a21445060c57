// Small deterministic snapshots for the model-io, safetensors and drawing tests.
import { MODEL_FORMAT, MODEL_VERSION, type ModelSnapshot, type ModelSpec } from "../../src/model/spec.ts";

/** A valid snapshot with f32 weights in (−1, 1) from a fixed LCG, identity perms. */
export function makeSnapshot(spec: Partial<ModelSpec> & { shape: number[] }, seed = 1): ModelSnapshot {
  const full: ModelSpec = { layout: "line", inFold: 1, ...spec };
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.fround(state / 2 ** 31 - 1);
  };
  const fill = (n: number): number[] => Array.from({ length: n }, next);
  const layers = full.shape.slice(1).map((nOut, l) => ({ weight: fill(nOut * full.shape[l]), bias: fill(nOut) }));
  const snapshot: ModelSnapshot = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    spec: full,
    layers,
    inPerm: range(full.shape[0] / full.inFold),
    outPerm: range(full.shape[full.shape.length - 1]),
  };
  if (full.embed) snapshot.embedding = fill(full.embed.tokens * full.embed.dim);
  return snapshot;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The f32 bit patterns of a list of numbers, for exact comparisons. */
export function f32Bits(values: number[]): number[] {
  return Array.from(new Uint32Array(Float32Array.from(values).buffer));
}
