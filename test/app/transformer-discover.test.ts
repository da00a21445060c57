// Transformer discovery through the one door: resolveDiscover → runDiscovery, the circuit file it
// returns (version 2, named edges, bound to the model), and the errors a user can make.
import { describe, expect, it } from "vitest";
import { resolveDiscover, runDiscovery } from "../../src/app/index.ts";
import { parseAnyCircuit } from "../../src/circuits/transformer/any-circuit.ts";
import { serializeTxCircuit, txCircuitMask, validateTxCircuit } from "../../src/circuits/transformer/circuit-file.ts";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { transformerSnapshot } from "../../src/model/transformer-io.ts";
import { iclModel, inductionModel } from "../../src/tasks/sequence/index.ts";

const engine = createEngineSync();

function snapshot(spec = inductionModel(), task = "induction", seed = 3) {
  const m = Transformer.init(engine, spec, new Rng(seed));
  try {
    return transformerSnapshot(spec, m.toTensors(), { task, seed });
  } finally {
    m.dispose();
  }
}

describe("transformer discovery through the app layer", () => {
  it("finds, scores and names a circuit of an induction model (81 edges)", async () => {
    const model = snapshot();
    const spec = resolveDiscover({ model, examples: 12, tau: 1e-4 });
    expect(spec).toMatchObject({ family: "transformer", task: "induction", seed: 3, method: "acdc", ablation: "resample",
      metric: "kl", granularity: "component", examples: 12 });
    const progress: number[] = [];
    const d = await runDiscovery(spec, { engine, progressEveryMs: 0, onProgress: (p) => progress.push(p.done) });
    if (d.family !== "transformer") throw new Error("expected a transformer result");
    expect(d.totalEdges).toBe(81);
    expect(d.heldOut).toBe(true);
    expect(progress.at(-1)).toBe(25); // every receiver
    const c = d.circuit;
    expect(c.edges.length).toBe(d.edges);
    expect(c.scores.totalEdges).toBe(81);
    expect(c.meta).toMatchObject({ task: "induction", examples: 12 });
    for (const e of c.edges) expect(e.name).toMatch(/^(embed|\d\.\d\.out) → (\d\.\d\.[qkv]|resid_post)$/);
    const text = serializeTxCircuit(c);
    const back = parseAnyCircuit(text);
    expect(back).toEqual(validateTxCircuit(c));
    expect(txCircuitMask(c).reduce((a, v) => a + v, 0)).toBe(d.edges);
  }, 120_000);

  it("runs node-level ACDC on icl-regression with the MSE of output 0", async () => {
    const d = await runDiscovery(resolveDiscover({ model: snapshot(iclModel(), "icl-regression"), examples: 20,
      method: "acdc-nodes" }), { engine });
    if (d.family !== "transformer") throw new Error("expected a transformer result");
    expect(d.metric).toBe("mse");
    expect(d.circuit.settings.outputs).toEqual([0]);
    expect(d.circuit.scores.faithfulnessMetric).toBe("mse");
    expect(d.circuit.scores.task?.metric).toBe("mse");
    expect(d.evaluations).toBeLessThanOrEqual(4); // two heads and two MLPs at most
  }, 120_000);

  it("discovers on the user's own clean and corrupted sequences", async () => {
    const model = snapshot();
    const rng = new Rng(1);
    const rows = (n: number) => Array.from({ length: n }, () => Array.from({ length: 24 }, () => rng.int(32)));
    const spec = resolveDiscover({ model, pairs: { clean: rows(5), corrupted: rows(5) }, tau: 1e-3 });
    expect(spec.pairs?.clean.length).toBe(5);
    const d = await runDiscovery(spec, { engine });
    expect(d.heldOut).toBe(false);
    expect(d.circuit.meta).toMatchObject({ data: "given pairs" });
  }, 120_000);

  it("refuses what does not fit, naming the field", () => {
    const model = snapshot();
    expect(() => resolveDiscover({ model, task: "icl-regression" })).toThrow(/model: does not fit task icl-regression/);
    expect(() => resolveDiscover({ model, task: "two-moons" })).toThrow(/task: task "two-moons" is an mlp task/);
    expect(() => resolveDiscover({ model, metric: "mse", method: "eap" })).not.toThrow();
    expect(() => resolveDiscover({ model, metric: "kl", method: "eap" })).toThrow(/metric: eap needs a metric with a gradient/);
    expect(() => resolveDiscover({ model, positions: [24] })).toThrow(/positions\[0\]: 24 is not a position < ctx 24/);
    expect(() => resolveDiscover({ model, granularity: "neuron" })).toThrow(/granularity: must be one of component, position, fine/);
    expect(() => resolveDiscover({ model, pairs: { clean: [[1, 2]], corrupted: [[1, 2]] } })).toThrow(/pairs.clean: row 0: 2 values/);
    const mlpModel = { format: "brainwire.model", version: 1 };
    expect(() => resolveDiscover({ model: mlpModel, positions: [1] })).toThrow(/model|positions/);
  });
});
