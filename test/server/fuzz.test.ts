// Property: whatever body a client sends, the server answers with a status below 500 (a user's mistake
// is a 4xx naming the field, a good body a 200) and keeps answering. fast-check generates bodies near the
// valid ones (right keys, wrong values, extra keys, broken models) and arbitrary JSON.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { resolveTrain, runTraining } from "../../src/app/index.ts";
import type { ModelSnapshot } from "../../src/model/spec.ts";

const RUNS = 2000;
const app = createApp({ maxSteps: 30, maxBodyBytes: 256 << 10 });

type Sent = { body: string; status: number; error?: string };
async function send(path: string, body: unknown): Promise<Sent> {
  const text = typeof body === "string" ? body : JSON.stringify(body) ?? "";
  const res = await app.request(path, { method: "POST", body: text });
  const out: Sent = { body: text.slice(0, 300), status: res.status };
  if (res.status >= 500) out.error = ((await res.json()) as { error: string }).error;
  else await res.arrayBuffer();
  return out;
}

const weird = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.array(fc.integer({ min: -3, max: 40 }), { maxLength: 5 }), fc.object({ maxDepth: 1 }));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(fc.oneof(a, weird), { nil: undefined, freq: 3 });
const fastTasks = ["two-moons", "symbolic-sharing", "symbolic-independence", "modular-addition", "permutation-s4"];
const csv = fc.oneof(fc.constant("a,b,y\n0,1,0\n1,0,1\n1,1,0\n0,0,1"), fc.string({ maxLength: 40 }),
  fc.constant("a,b\n1,x"), fc.constant(""));

const trainBody = fc.record({
  task: maybe(fc.constantFrom(...fastTasks, "induction", "mnist-nope")),
  mode: maybe(fc.constantFrom("vanilla", "l1", "l1+local", "l1+swap", "bimt")),
  seed: maybe(fc.oneof(fc.nat(), fc.constant(2 ** 32), fc.constant(-1))),
  steps: maybe(fc.integer({ min: -2, max: 40 })),
  lr: maybe(fc.oneof(fc.double({ min: 1e-4, max: 1e-2 }), fc.constant(1e30))),
  lambda: maybe(fc.oneof(fc.constant("1e-3,10:1e-2"), fc.constant([{ from: 0, value: 1e-3 }]), fc.string())),
  shape: maybe(fc.oneof(fc.constant("2,7,2"), fc.constant([3, 4, 3]), fc.constant("64,5,59"),
    fc.array(fc.integer({ min: -1, max: 70 }), { maxLength: 4 }))),
  batch: maybe(fc.integer({ min: -1, max: 5000 })),
  swapEvery: maybe(fc.integer({ min: -1, max: 50 })),
  topK: maybe(fc.integer({ min: -1, max: 100 })),
  weightFactor: maybe(fc.double({ min: -1, max: 5 })),
  l0: maybe(fc.double({ min: -1, max: 2 })),
  costForm: maybe(fc.constantFrom("sum", "mean")),
  permuteAdam: maybe(fc.boolean()),
  data: fc.option(fc.record({ text: csv, name: fc.constantFrom("d.csv", "d.json", "d.txt"),
    targets: maybe(fc.constant("y")), classification: maybe(fc.boolean()),
    testFraction: maybe(fc.double({ min: 0, max: 1 })) }, { requiredKeys: ["text"] }), { nil: undefined, freq: 6 }),
  extra: fc.option(weird, { nil: undefined, freq: 8 }),
}, { requiredKeys: [] });

/** Bodies a client means: valid keys with valid values (few keys, so most are good). */
const goodTrain = fc.record({
  task: fc.constantFrom(...fastTasks),
  mode: fc.constantFrom("vanilla", "l1", "l1+local", "l1+swap", "bimt"),
  seed: fc.nat(),
  steps: fc.integer({ min: 1, max: 30 }),
  lr: fc.double({ min: 1e-4, max: 1e-2, noNaN: true }),
  batch: fc.integer({ min: 1, max: 5000 }),
  topK: fc.integer({ min: 1, max: 100 }),
}, { requiredKeys: ["steps"] });

let models: ModelSnapshot[] = [];
beforeAll(async () => {
  const small = [{ task: "two-moons", shape: "2,6,2" }, { task: "symbolic-sharing", shape: "3,5,3" },
    { task: "modular-addition", shape: "64,4,59" }];
  models = [];
  for (const o of small) models.push((await runTraining(resolveTrain({ ...o, steps: 20 }))).model);
});

/** A model with one thing broken: a field replaced, a weight non-finite or huge, a perm or meta made wrong. */
function broken(m: ModelSnapshot, what: number, v: unknown): unknown {
  const c = structuredClone(m) as unknown as Record<string, any>;
  switch (what % 9) {
    case 0: c.spec.shape[what % c.spec.shape.length] = v; break;
    case 1: c.layers[0].weight[0] = v; break;
    case 2: c.layers[0].weight[1] = 1e39; break;
    case 3: c.outPerm[0] = v; break;
    case 4: c.meta = { ...c.meta, task: v }; break;
    case 5: c.meta = { ...c.meta, seed: v }; break;
    case 6: if (c.spec.embed) c.spec.embed.tokens = 3; else c.inPerm = v; break;
    case 7: delete c.meta; break;
    default: c.layers.pop();
  }
  return c;
}

const discoverBody = fc.record({
  model: fc.oneof(
    fc.nat(2).map((i) => models[i]),
    fc.tuple(fc.nat(2), fc.nat(100), weird).map(([i, what, v]) => broken(models[i], what, v)),
    weird,
  ),
  method: maybe(fc.constantFrom("acdc", "acdc-nodes", "eap", "eap-ig", "eap-acdc")),
  ablation: maybe(fc.constantFrom("zero", "mean", "resample")),
  metric: maybe(fc.constantFrom("kl", "mse", "logit-diff", "nll")),
  tau: maybe(fc.oneof(fc.double({ min: 1e-5, max: 1 }), fc.constant(0))),
  topK: maybe(fc.integer({ min: -1, max: 600 })),
  fraction: maybe(fc.double({ min: -0.5, max: 1.5 })),
  igSteps: maybe(fc.integer({ min: -1, max: 6 })),
  examples: maybe(fc.integer({ min: -1, max: 60 })),
  outputs: maybe(fc.array(fc.integer({ min: -1, max: 60 }), { maxLength: 3 })),
  task: maybe(fc.constantFrom(...fastTasks)),
  seed: maybe(fc.oneof(fc.nat(), fc.constant(-3))),
  pairs: fc.option(fc.record({ clean: fc.oneof(fc.constant("0.1,0.2\n0.3,0.4"), fc.constant([[1, 2, 3]]), weird),
    corrupted: fc.oneof(fc.constant("0.5,0.5\n-1,1"), fc.constant([[0, 0, 0]]), weird) }), { nil: undefined, freq: 5 }),
  sweep: fc.option(fc.oneof(fc.boolean().map(() => [1e-3, 1e-2]), fc.constant("1e-3,x"), weird), { nil: undefined, freq: 8 }),
  data: fc.option(fc.record({ text: csv, name: fc.constantFrom("d.csv", "x.json") }), { nil: undefined, freq: 10 }),
}, { requiredKeys: [] });

const goodDiscover = fc.record({
  model: fc.nat(2).map((i) => models[i]),
  method: fc.constantFrom("acdc", "acdc-nodes", "eap", "eap-ig", "eap-acdc"),
  ablation: fc.constantFrom("zero", "mean", "resample"),
  metric: fc.constantFrom("kl", "mse", "logit-diff", "nll"),
  tau: fc.double({ min: 1e-5, max: 1, noNaN: true }),
  examples: fc.integer({ min: 1, max: 60 }),
  outputs: fc.array(fc.nat(3), { minLength: 1, maxLength: 2 }),
}, { requiredKeys: ["model", "examples"] });

describe("the server under generated bodies", () => {
  it.each([
    ["/v1/train", goodTrain,
      trainBody.map(({ extra, ...b }) => (extra === undefined ? b : { ...b, [`k${String(extra).length}`]: extra }))],
    ["/v1/discover", goodDiscover, discoverBody],
  ] as const)(`%s: ${RUNS} bodies, none answered with 5xx`, async (path, good, near) => {
    const bad: Sent[] = [];
    let ok = 0;
    const body = fc.oneof({ arbitrary: good as fc.Arbitrary<unknown>, weight: 3 },
      { arbitrary: near as fc.Arbitrary<unknown>, weight: 6 }, { arbitrary: fc.anything(), weight: 1 });
    await fc.assert(fc.asyncProperty(body,
      async (b) => {
        const r = await send(path, b);
        if (r.status >= 500) bad.push(r);
        if (r.status === 200) ok++;
        return r.status < 500;
      }), { numRuns: RUNS, seed: 7, endOnFailure: true });
    expect(bad).toEqual([]);
    // Some bodies were good: the property was not only about refusals.
    expect(ok).toBeGreaterThan(RUNS / 50);
    const still = await app.request("/v1/tasks");
    expect(still.status).toBe(200);
  });
});
