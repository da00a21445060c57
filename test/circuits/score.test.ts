import { describe, expect, it } from "vitest";
import { createEngineSync, type Engine } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { predict } from "../../src/model/pass.ts";
import type { ModelSpec } from "../../src/model/spec.ts";
import { circuitOutputs, connectedNeurons, scoreCircuit } from "../../src/circuits/score.ts";
import { ABLATIONS, type Ablation, type DiscoveryData, type EdgeMask } from "../../src/circuits/types.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { randomDiscoveryData } from "../helpers/discovery-data.ts";

function model(e: Engine, spec: ModelSpec, seed: number): Mlp {
  const rng = new Rng(seed);
  const m = Mlp.init(e, spec, rng);
  const snap = m.toSnapshot();
  m.dispose();
  snap.inPerm = Array.from(rng.permutation(snap.inPerm.length));
  snap.outPerm = Array.from(rng.permutation(snap.outPerm.length));
  return Mlp.fromSnapshot(e, snap);
}

function randomMask(spec: ModelSpec, density: number, rng: Rng): EdgeMask {
  return spec.shape.slice(1).map((nOut, l) => Uint8Array.from({ length: nOut * spec.shape[l] }, () =>
    (rng.uniform() < density ? 1 : 0)));
}

/** Plain f64 edge patching, straight from the definition: pruned edges carry the ablated sender value. */
function patchedRef(e: Engine, m: Mlp, mask: EdgeMask, d: DiscoveryData, ablation: Ablation): Float64Array {
  const { shape } = m.spec;
  const p = m.readParams();
  const n = d.n;
  const slotInputs = (x: Float32Array) =>
    Float64Array.from({ length: n * shape[0] }, (_, k) => x[k - (k % shape[0]) + m.inPerm[k % shape[0]]]);
  const layer = (l: number, a: Float64Array, abl: Float64Array | null, keepAll: boolean) => {
    const nIn = shape[l];
    const nOut = shape[l + 1];
    const z = new Float64Array(n * nOut);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < nOut; j++) {
        let s = p[m.layout.bias[l] + j];
        for (let i = 0; i < nIn; i++) {
          const w = p[m.layout.weight[l] + j * nIn + i];
          const kept = keepAll || mask[l][j * nIn + i];
          s += w * (kept ? a[r * nIn + i] : abl ? abl[r * nIn + i] : 0);
        }
        z[r * nOut + j] = l + 1 < m.depth ? s / (1 + e.k.exp64(-s)) : s;
      }
    }
    return z;
  };
  const fullActs = (x: Float32Array) => {
    const acts = [slotInputs(x)];
    for (let l = 0; l + 1 < m.depth; l++) acts.push(layer(l, acts[l], null, true));
    return acts;
  };
  const clean = fullActs(d.clean as Float32Array);
  const abl = ablation === "resample" ? fullActs(d.corrupted as Float32Array) : clean.map((a, l) => {
    const nIn = shape[l];
    const out = new Float64Array(a.length);
    if (ablation === "zero") return out;
    for (let i = 0; i < nIn; i++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += a[r * nIn + i];
      for (let r = 0; r < n; r++) out[r * nIn + i] = s / n;
    }
    return out;
  });
  let a = clean[0];
  for (let l = 0; l < m.depth; l++) a = layer(l, a, abl[l], false);
  return a;
}

describe("circuit scoring", () => {
  const e = createEngineSync();
  const spec: ModelSpec = { shape: [5, 7, 6, 3], layout: "line", inFold: 1 };

  for (const ablation of ABLATIONS) {
    it(`the ablated forward pass patches pruned edges with ã: ${ablation}`, () => {
      const m = model(e, spec, 4);
      const d = randomDiscoveryData(spec, 13, 5);
      const mask = randomMask(spec, 0.5, new Rng(6));
      const { circuit } = circuitOutputs(m, mask, d, ablation);
      expectClose(circuit, patchedRef(e, m, mask, d, ablation), { atol: 1e-5, rtol: 1e-4 }, ablation);
      m.dispose();
    });
  }

  it("a full circuit is the full model; an empty resampled circuit is the model on the corrupted inputs", () => {
    const m = model(e, spec, 7);
    const d = randomDiscoveryData(spec, 9, 8);
    const full = spec.shape.slice(1).map((n, l) => new Uint8Array(n * spec.shape[l]).fill(1));
    const empty = full.map((f) => new Uint8Array(f.length));
    for (const ablation of ABLATIONS) {
      const out = circuitOutputs(m, full, d, ablation);
      expect(Array.from(out.circuit), ablation).toEqual(Array.from(out.full));
    }
    const inSlots = (y: Float32Array) => y.map((_, k) => y[k - (k % 3) + m.outPerm[k % 3]]);
    const corrupted = inSlots(predict(m, d.corrupted as Float32Array, 5));
    expectClose(circuitOutputs(m, empty, d, "resample").circuit, corrupted, { atol: 1e-6, rtol: 1e-6 });
    m.dispose();
  });

  it("counts neurons on an input→output path", () => {
    // [2, 2, 2]: x0→h0→y1 is a path; x1→h1 dead ends (h1 has no outgoing edge); nothing reaches y0
    const mask = [Uint8Array.from([1, 0, 0, 1]), Uint8Array.from([0, 0, 1, 0])];
    expect(connectedNeurons([2, 2, 2], mask)).toBe(3);
    expect(connectedNeurons([2, 2, 2], [new Uint8Array(4), new Uint8Array(4)])).toBe(0);
  });

  it("scores a full circuit as perfectly faithful and an empty one as sparse", () => {
    const m = model(e, spec, 9);
    const d = randomDiscoveryData(spec, 20, 10);
    const full = spec.shape.slice(1).map((n, l) => new Uint8Array(n * spec.shape[l]).fill(1));
    const s = scoreCircuit(m, full, d, { ablation: "resample", kind: "classification", timeMs: 12, evaluations: 3 });
    expect(Math.abs(s.faithfulness)).toBeLessThan(1e-12); // identical outputs, up to the kernel's rounding
    expect(s.faithfulnessMetric).toBe("kl");
    expect(s.task.metric).toBe("accuracy");
    expect(s.task.circuit).toBe(s.task.full);
    expect([s.edges, s.totalEdges, s.sparsity, s.neurons, s.totalNeurons]).toEqual([35 + 42 + 18, 95, 0, 21, 21]);
    expect([s.timeMs, s.evaluations]).toEqual([12, 3]);
    const empty = full.map((f) => new Uint8Array(f.length));
    const z = scoreCircuit(m, empty, d, { ablation: "zero", kind: "regression" });
    expect([z.edges, z.sparsity, z.neurons, z.modularity]).toEqual([0, 1, 0, 0]);
    expect(z.faithfulnessMetric).toBe("mse");
    expect(z.faithfulness).toBeGreaterThan(0);
    expect(z.task.circuit).not.toBe(z.task.full);
    m.dispose();
  });

  it("task scores: accuracy counts first argmaxes as a plain loop does, mse is the plain mean over the chosen outputs", () => {
    const spec5: ModelSpec = { shape: [4, 7, 5], layout: "line", inFold: 1 };
    const m = model(e, spec5, 14);
    const d = randomDiscoveryData(spec5, 37, 15);
    const mask = randomMask(m.spec, 0.5, new Rng(16));
    const { circuit, full } = circuitOutputs(m, mask, d, "mean");
    const dOut = 5;
    for (const outputs of [undefined, [1, 4]]) {
      const chosen = (o: number) => !outputs || outputs.includes(o);
      const acc = (y: Float32Array) => {
        let counted = 0;
        let correct = 0;
        for (let r = 0; r < d.n; r++) {
          if (!chosen(d.labels![r])) continue;
          counted++;
          let best = 0;
          for (let p = 1; p < dOut; p++) if (y[r * dOut + p] > y[r * dOut + best]) best = p;
          if (m.outPerm[best] === d.labels![r]) correct++;
        }
        return correct / counted;
      };
      const mse = (y: Float32Array) => {
        let sum = 0;
        let count = 0;
        for (let r = 0; r < d.n; r++) {
          for (let p = 0; p < dOut; p++) {
            if (!chosen(m.outPerm[p])) continue;
            sum += (y[r * dOut + p] - d.targets![r * dOut + m.outPerm[p]]) ** 2;
            count++;
          }
        }
        return sum / count;
      };
      const c = scoreCircuit(m, mask, d, { ablation: "mean", kind: "classification", outputs });
      expect([c.task.circuit, c.task.full]).toEqual([acc(circuit), acc(full)]);
      const r = scoreCircuit(m, mask, d, { ablation: "mean", kind: "regression", outputs });
      expectClose([r.task.circuit, r.task.full], [mse(circuit), mse(full)], { atol: 0, rtol: 1e-14 }, "mse");
    }
    m.dispose();
  });

  it("restricts faithfulness, task score and ground truth to the circuit's outputs", () => {
    const m = model(e, { shape: [4, 6, 2], layout: "line", inFold: 1 }, 11);
    const d = randomDiscoveryData({ shape: [4, 6, 2], layout: "line", inFold: 1 }, 15, 12);
    const rng = new Rng(13);
    const mask = randomMask(m.spec, 0.4, rng);
    const truth = [[0, 2], [1, 3]];
    const both = scoreCircuit(m, mask, d, { ablation: "mean", kind: "regression", truth });
    const one = scoreCircuit(m, mask, d, { ablation: "mean", kind: "regression", truth, outputs: [1] });
    expect(one.faithfulness).not.toBe(both.faithfulness);
    expect(one.task.full).not.toBe(both.task.full);
    expect(one.groundTruth).toBeDefined();
    expect(both.groundTruth).toBeDefined();
    // an edge count is a property of the mask, not of the outputs scored
    expect(one.edges).toBe(both.edges);
    expect(() => scoreCircuit(m, mask, d, { ablation: "zero", kind: "regression", outputs: [2] })).toThrow(
      /not an output index/,
    );
    expect(() => scoreCircuit(m, mask, { ...d, targets: undefined }, { ablation: "zero", kind: "regression" })).toThrow(
      /needs 15×2 targets/,
    );
    m.dispose();
  });
});
