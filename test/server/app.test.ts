// The Hono app through app.request(): no socket, the same fetch handler every runtime serves.
import { describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { runCheck } from "../../src/exports/check.ts";

const app = createApp({ page: "<!doctype html><title>page</title>", maxSteps: 1000, maxBodyBytes: 64 << 10 });
const post = (path: string, body: unknown) =>
  app.request(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });

async function expectError(res: Response, status: number, message: RegExp, field?: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body = (await res.json()) as { error: string; field?: string };
  expect(body.error).toMatch(message);
  if (field !== undefined) expect(body.field).toBe(field);
}

describe("GET", () => {
  it("/ serves the page", async () => {
    const res = await app.request("/");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<title>page</title>");
  });

  it("/ without a built page says how to build it", async () => {
    await expectError(await createApp().request("/"), 404, /npm run build/);
  });

  it("/v1/tasks lists tasks, modes, ablations and metrics", async () => {
    const body = await (await app.request("/v1/tasks")).json();
    expect(body.tasks.map((t: { name: string }) => t.name)).toContain("two-moons");
    expect(body.tasks.find((t: { name: string }) => t.name === "symbolic-sharing")).toMatchObject({
      kind: "regression", fast: true, shape: [3, 20, 20, 3] });
    expect(body.modes).toContain("bimt");
    expect(body.methods).toEqual(["acdc", "acdc-nodes", "eap", "eap-ig", "eap-acdc"]);
    expect(body.ablations).toEqual(["zero", "mean", "resample"]);
    expect(body.maxSteps).toBe(1000);
  });

  it("unknown routes are 404 JSON", async () => {
    await expectError(await app.request("/v2/nothing"), 404, /no route for GET \/v2\/nothing/);
  });
});

describe("POST /v1/train and /v1/discover", () => {
  const check = { task: "two-moons", mode: "bimt", seed: 1, steps: 600 };

  it("train, then discover, give runCheck's hashes", async () => {
    const want = await runCheck(check);
    const trained = await post("/v1/train", check);
    expect(trained.status).toBe(200);
    const t = await trained.json();
    expect(t.weightsHash).toBe(want.weightsHash);
    expect(t.model.meta).toMatchObject({ task: "two-moons", mode: "bimt", seed: 1, steps: 600 });
    expect(t.metrics.metric).toBe("accuracy");

    const found = await post("/v1/discover", { model: t.model, tau: 1e-3 });
    expect(found.status).toBe(200);
    const d = await found.json();
    expect(d.circuitHash).toBe(want.circuitHash);
    expect(d.edges).toBe(want.edges);
    expect(d.circuit.edges).toHaveLength(want.edges);
    expect(d.circuit.settings).toMatchObject({ method: "acdc", ablation: "resample", metric: "kl", tau: 1e-3 });
    expect(d.circuit.scores.task.metric).toBe("accuracy");
  });

  it("discover: EAP, and ACDC at the default τ with ground-truth scores", async () => {
    const body = { task: "symbolic-independence", mode: "bimt", seed: 2, steps: 300 };
    const t = await (await post("/v1/train", body)).json();
    const viaEap = await (await post("/v1/discover", { model: t.model, method: "eap", tau: 1e-3 })).json();
    expect(viaEap.circuit.settings).toMatchObject({ method: "eap", metric: "mse" });
    const viaDefault = await (await post("/v1/discover", { model: t.model })).json();
    expect(viaDefault.circuit.settings).toMatchObject({ method: "acdc", tau: 1e-2 });
    expect(viaDefault.circuit.scores.groundTruth).toBeDefined();
  });

  it("discover takes the task and seed from the body when the model has no meta", async () => {
    const t = await (await post("/v1/train", { task: "symbolic-sharing", mode: "l1", steps: 50 })).json();
    delete t.model.meta;
    await expectError(await post("/v1/discover", { model: t.model, tau: 1e-3 }), 400, /^seed: required/);
    await expectError(await post("/v1/discover", { model: t.model, tau: 1e-3, seed: 0 }), 400, /^task: required/);
    const res = await post("/v1/discover", { model: t.model, tau: 1e-3, task: "symbolic-sharing", seed: 0,
      ablation: "zero", metric: "mse" });
    expect(res.status).toBe(200);
    expect((await res.json()).circuit.settings).toMatchObject({ ablation: "zero", metric: "mse" });
  });
});

describe("bad input is a 400 with a message", () => {
  it.each([
    ["no body", "", /body is empty/, undefined],
    ["not JSON", "{task:", /not valid JSON/, undefined],
    ["not an object", "[1,2]", /must be a JSON object/, undefined],
    ["unknown task", { task: "chess", mode: "bimt" }, /^task: unknown task "chess"; the tasks are: .*two-moons/, "task"],
    ["unknown mode", { task: "two-moons", mode: "fast" }, /^mode: must be one of vanilla, l1/, "mode"],
    ["fractional seed", { task: "two-moons", mode: "bimt", seed: 1.5 }, /^seed: must be a whole number/, "seed"],
    ["too many steps", { task: "two-moons", mode: "bimt", steps: 5000 }, /^steps: must be ≤ 1000 here, got 5000/, "steps"],
    ["a task's default over the cap", { task: "symbolic-sharing" }, /^steps: the task trains 20000 steps/, "steps"],
    ["unknown field", { task: "two-moons", mode: "bimt", learningRate: 1 }, /^body: unknown option\(s\) learningRate/,
      "body"],
    ["a shape over the memory budget", { shape: [2, 30000, 30000, 2], steps: 10 }, /^shape: .* needs about 27\.7 GiB/, "shape"],
  ])("train: %s", async (_, body, message, field) => {
    await expectError(await post("/v1/train", body), 400, message, field);
  });

  it("discover: missing model, bad τ, bad ablation", async () => {
    await expectError(await post("/v1/discover", { tau: 1e-3 }), 400, /model: required/);
    await expectError(await post("/v1/discover", { model: {}, tau: -1 }), 400, /^tau: must be a finite number > 0/, "tau");
    await expectError(await post("/v1/discover", { model: {}, tau: 1, ablation: "noise" }), 400,
      /^ablation: must be one of zero, mean, resample/, "ablation");
    await expectError(await post("/v1/discover", { model: {}, method: "guess" }), 400,
      /^method: must be one of acdc, acdc-nodes/, "method");
  });

  it("discover: an invalid model names the field", async () => {
    await expectError(await post("/v1/discover", { model: { format: "brainwire.model", version: 9 }, tau: 1 }), 400,
      /^model: version: unsupported version 9/, "model");
  });

  it("discover: a model that does not fit the task", async () => {
    const t = await (await post("/v1/train", { task: "symbolic-sharing", mode: "l1", steps: 5 })).json();
    await expectError(await post("/v1/discover", { model: t.model, tau: 1e-3, task: "two-moons" }), 400,
      /^model: shape \[3,20,20,3\] does not fit task two-moons/, "model");
  });

  it("bodies over the limit are refused with 413", async () => {
    await expectError(await post("/v1/train", " ".repeat(70 << 10)), 413, /over the limit of 65536 bytes/);
  });
});
