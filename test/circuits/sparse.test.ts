import { describe, expect, it } from "vitest";
import { createEngineSync, type Engine } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { predict } from "../../src/model/pass.ts";
import type { ModelSpec } from "../../src/model/spec.ts";
import { SparseNetwork } from "../../src/circuits/sparse.ts";
import type { EdgeMask } from "../../src/circuits/types.ts";

function randomMask(spec: ModelSpec, density: number, rng: Rng): EdgeMask {
  return spec.shape.slice(1).map((nOut, l) => {
    const m = new Uint8Array(nOut * spec.shape[l]);
    for (let i = 0; i < m.length; i++) m[i] = rng.uniform() < density ? 1 : 0;
    return m;
  });
}

/** The dense model with every pruned weight set to zero (and random perms, so they are exercised). */
function maskedDense(e: Engine, spec: ModelSpec, mask: EdgeMask, rng: Rng, perms = true): Mlp {
  const full = Mlp.init(e, spec, rng);
  const snap = full.toSnapshot();
  full.dispose();
  snap.layers.forEach((layer, l) => layer.weight.forEach((_, i) => mask[l][i] || (layer.weight[i] = 0)));
  if (perms) {
    snap.inPerm = Array.from(rng.permutation(snap.inPerm.length));
    snap.outPerm = Array.from(rng.permutation(snap.outPerm.length));
  }
  return Mlp.fromSnapshot(e, snap);
}

function inputs(spec: ModelSpec, n: number, rng: Rng): Float32Array | Int32Array {
  if (spec.embed) return Int32Array.from({ length: n * spec.inFold }, () => rng.int(spec.embed!.tokens));
  return Float32Array.from({ length: n * spec.shape[0] }, () => rng.range(-2, 2));
}

/** Bit equality up to the sign of zero (a sparse sum skips the ±0 products a dense sum adds). */
function expectSameValues(got: Float32Array, want: Float32Array, label: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) throw new Error(`${label}: index ${i} sparse ${got[i]} dense ${want[i]}`);
  }
}

describe("SparseNetwork", () => {
  const e = createEngineSync();
  const cases: { name: string; spec: ModelSpec; n: number; rows: number; density: number; perms?: boolean }[] = [
    { name: "tiny", spec: { shape: [3, 5, 2], layout: "line", inFold: 1 }, n: 7, rows: 4, density: 0.5 },
    { name: "lane tails", spec: { shape: [4, 20, 20, 2], layout: "line", inFold: 1 }, n: 37, rows: 18, density: 0.3 },
    // 300 inputs span two GEMM K slices, so the slice boundary must round like the dense GEMM
    { name: "two K slices", spec: { shape: [300, 33, 7], layout: "line", inFold: 1 }, n: 150, rows: 150, density: 0.2 },
    { name: "MNIST-shaped", spec: { shape: [784, 100, 100, 10], layout: "grid", inFold: 1 }, n: 45, rows: 64,
      density: 0.05 },
    // identity slot order: runs of adjacent input columns take the 4×4 transpose path
    { name: "identity slots", spec: { shape: [40, 24, 5], layout: "line", inFold: 1 }, n: 70, rows: 70, density: 0.1,
      perms: false },
    { name: "folded input", spec: { shape: [6, 9, 3], layout: "line", inFold: 2 }, n: 11, rows: 5, density: 0.6 },
    { name: "embedding", spec: { shape: [6, 12, 5], layout: "line", inFold: 2, embed: { tokens: 5, dim: 3 } }, n: 23,
      rows: 8, density: 0.4 },
    { name: "empty circuit", spec: { shape: [5, 4, 3], layout: "line", inFold: 1 }, n: 6, rows: 6, density: 0 },
    { name: "full circuit", spec: { shape: [5, 4, 3], layout: "line", inFold: 1 }, n: 6, rows: 6, density: 1 },
  ];
  for (const c of cases) {
    it(`equals masked dense inference bit for bit: ${c.name}`, () => {
      const rng = new Rng(c.name.length * 7919 + c.n);
      const mask = randomMask(c.spec, c.density, rng);
      const dense = maskedDense(e, c.spec, mask, rng, c.perms ?? true);
      const net = SparseNetwork.fromMask(dense, mask, c.rows);
      const x = inputs(c.spec, c.n, rng);
      expectSameValues(net.forward(x), predict(dense, x, c.spec.embed ? c.spec.inFold : c.spec.shape[0]), c.name);
      const kept = mask.reduce((s, m) => s + m.reduce((a, v) => a + v, 0), 0);
      // dangling edges (into neurons with no path to an output) are dropped; a full circuit keeps all
      expect(net.nnz).toBeLessThanOrEqual(kept);
      if (c.density === 1) expect(net.nnz).toBe(kept);
      net.dispose();
      dense.dispose();
    });
  }

  it("keeps its own copy of the weights and frees every buffer", () => {
    const spec: ModelSpec = { shape: [4, 6, 2], layout: "line", inFold: 1 };
    const rng = new Rng(5);
    const before = e.memoryStats.inUse;
    const mask = randomMask(spec, 0.7, rng);
    const model = maskedDense(e, spec, mask, rng);
    const x = inputs(spec, 9, rng);
    const want = predict(model, x, 4);
    const net = SparseNetwork.fromMask(model, mask);
    model.dispose();
    expectSameValues(net.forward(x), want, "after model dispose");
    net.dispose();
    expect(e.memoryStats.inUse).toBe(before);
  });

  it("rejects masks and inputs of the wrong shape", () => {
    const spec: ModelSpec = { shape: [4, 6, 2], layout: "line", inFold: 1 };
    const model = Mlp.init(e, spec, new Rng(1));
    expect(() => SparseNetwork.fromMask(model, [new Uint8Array(24)])).toThrow(/expected 2 layers/);
    expect(() => SparseNetwork.fromMask(model, [new Uint8Array(24), new Uint8Array(11)])).toThrow(/layer 1.*12/);
    const net = SparseNetwork.fromMask(model, [new Uint8Array(24).fill(1), new Uint8Array(12).fill(1)]);
    expect(() => net.forward(new Float32Array(7))).toThrow(/multiple of 4/);
    expect(() => net.forward(new Int32Array(8))).toThrow(/Float32Array/);
    net.dispose();
    model.dispose();
  });
});
