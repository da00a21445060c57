// Seeded random discovery examples for a model spec: uniform inputs in [−1, 1) (token ids for embedding
// models), a paired corrupted input each, random labels and random regression targets.
import type { DiscoveryData } from "../../src/circuits/types.ts";
import { Rng } from "../../src/engine/random.ts";
import type { ModelSpec } from "../../src/model/spec.ts";

export function randomDiscoveryData(spec: ModelSpec, n: number, seed: number): DiscoveryData {
  const rng = new Rng(seed);
  const dOut = spec.shape[spec.shape.length - 1];
  const inputs = () =>
    spec.embed
      ? Int32Array.from({ length: n * spec.inFold }, () => rng.int(spec.embed!.tokens))
      : Float32Array.from({ length: n * spec.shape[0] }, () => rng.range(-1, 1));
  return {
    n,
    clean: inputs(),
    corrupted: inputs(),
    labels: Int32Array.from({ length: n }, () => rng.int(dOut)),
    targets: Float32Array.from({ length: n * dOut }, () => rng.range(-1, 1)),
  };
}
