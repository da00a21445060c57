// One door: the same run given through every face (CLI flags, an HTTP body, library options, the page
// worker's message) resolves to the same run spec and gives the same model and circuit, hash and meta;
// and every bad input gets its clear error from every face: the CLI exits 2 naming the flag (or file),
// the server answers 400 naming the field, the library throws a UserError of that field, the worker's
// resolver the same message.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { resolveDiscover, resolveTrain, runDiscovery, runTraining, UserError, type DiscoverSpec, type TrainSpec }
  from "../../src/app/index.ts";
import { parseCircuit } from "../../src/circuits/circuit-io.ts";
import { discoverInput } from "../../src/cli/discover-command.ts";
import { cliProgram } from "../../src/cli/program.ts";
import { trainInput } from "../../src/cli/train-command.ts";
import { discover, discoverSpec, train, trainSpec, type DiscoverOptions, type TrainOptions } from "../../src/library.ts";
import { parseModel, serializeModel } from "../../src/model/io.ts";
import type { ModelSnapshot } from "../../src/model/spec.ts";
import { runInput, type DiscoverRequest, type TrainRequest } from "../../web/protocol.ts";
import { bundleCli, type CliResult } from "../helpers/cli.ts";

const app = createApp({ maxSteps: 20_000 });
const post = async (path: string, body: unknown) => {
  const res = await app.request(path, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
let dir = "";
let brainwire: (...args: string[]) => Promise<CliResult>;

/** What the command line makes of argv: the raw input its command would resolve (no run). */
async function cliRaw(argv: string[]): Promise<unknown> {
  let raw: unknown;
  const none = async () => {};
  const program = cliProgram({
    train: async (opts) => void (raw = await trainInput(opts as never)),
    discover: async (model, opts) => void (raw = await discoverInput(model, opts)),
    draw: none, import: none, study: none, serve: none,
  });
  await program.parseAsync(argv, { from: "user" });
  return raw;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "brainwire-doors-"));
  brainwire = await bundleCli("doors-cli.mjs");
});

const csv = ["x,y,label", ...Array.from({ length: 40 }, (_, i) => `${(i % 5) / 5},${((i * 3) % 7) / 7},${i % 2}`)]
  .join("\n");

interface TrainRow {
  name: string;
  cli: string[];
  body: Record<string, unknown>;
  library: TrainOptions;
  /** The page sends task, mode, seed and steps only. */
  worker?: TrainRequest;
}

const trainRows = (): TrainRow[] => [
  {
    name: "a task with its defaults",
    cli: ["--task", "two-moons", "--mode", "bimt", "--seed", "3", "--steps", "150"],
    body: { task: "two-moons", mode: "bimt", seed: 3, steps: 150 },
    library: { task: "two-moons", mode: "bimt", seed: 3, steps: 150 },
    worker: { type: "train", task: "two-moons", mode: "bimt", seed: 3, steps: 150 },
  },
  {
    name: "settings given as flags, arrays and strings",
    cli: ["--task", "symbolic-sharing", "--mode", "l1", "--steps", "80", "--shape", "3,8,3", "--lambda", "1e-3,40:1e-2",
      "--lr", "0.003", "--top-k", "4"],
    body: { task: "symbolic-sharing", mode: "l1", steps: 80, shape: [3, 8, 3], lr: 0.003, topK: 4,
      lambda: [{ from: 0, value: 1e-3 }, { from: 40, value: 1e-2 }] },
    library: { task: "symbolic-sharing", mode: "l1", steps: 80, shape: "3,8,3", lambda: "1e-3,40:1e-2", lr: 0.003, topK: 4 },
  },
  {
    name: "your data, as a file and as contents",
    cli: ["--data", join(dir, "d.csv"), "--classification", "--test-fraction", "0.25", "--steps", "60", "--seed", "7"],
    body: { data: { name: join(dir, "d.csv"), text: csv, classification: true, testFraction: 0.25 }, steps: 60, seed: 7 },
    library: { data: { name: join(dir, "d.csv"), text: csv, classification: true, testFraction: 0.25 }, steps: 60, seed: 7 },
  },
];

const models: Record<string, { path: string; model: ModelSnapshot }> = {};
/** Pairs as files (the CLI's --clean/--corrupt) and as text (a body, the library): two-moons inputs. */
const CLEAN = "x1,x2\n0.1,0.9\n-0.4,0.2\n1.1,-0.3\n0.6,0.5\n-0.9,0.1\n";
const CORRUPT = "x1,x2\n0.8,-0.2\n0.3,0.3\n-1,0.4\n0.2,-0.6\n1.2,0.9\n";

describe("one resolver for every face", () => {
  it.each([0, 1, 2])("train row %i: the same spec, the same model hash and meta from every face", async (i) => {
    await writeFile(join(dir, "d.csv"), csv);
    const row = trainRows()[i];
    const specs: Record<string, TrainSpec> = {
      cli: resolveTrain(await cliRaw(["train", ...row.cli])),
      http: resolveTrain(JSON.parse(JSON.stringify(row.body))),
      library: trainSpec(row.library),
    };
    if (row.worker) specs.worker = resolveTrain(runInput(row.worker));
    for (const face of Object.keys(specs)) expect(specs[face], `${row.name}: ${face}`).toEqual(specs.cli);

    const out = join(dir, `m${i}.json`);
    const cli = await brainwire("train", ...row.cli, "--out", out, "--quiet");
    expect(cli.code, cli.stderr).toBe(0);
    const results: Record<string, ModelSnapshot> = {
      cli: parseModel(await readFile(out, "utf8")),
      http: (await post("/v1/train", row.body)).body.model as ModelSnapshot,
      library: (await train(row.library)).model,
    };
    if (row.worker) results.worker = (await runTraining(resolveTrain(runInput(row.worker)))).model;
    for (const face of Object.keys(results)) {
      expect(serializeModel(results[face]), `${row.name}: ${face}`).toBe(serializeModel(results.cli));
    }
    models[i] = { path: out, model: results.cli };
  });

  const discoverRows: { name: string; cli: string[]; options: DiscoverOptions; worker?: DiscoverRequest }[] = [
    { name: "the page's request", cli: ["--method", "acdc", "--tau", "0.001", "--ablation", "resample"],
      options: { method: "acdc", tau: 1e-3, ablation: "resample" },
      worker: { type: "discover", method: "acdc", tau: 1e-3, ablation: "resample" } },
    { name: "EAP top-k with a metric", cli: ["--method", "eap", "--top-k", "20", "--metric", "nll"],
      options: { method: "eap", topK: 20, metric: "nll" } },
    { name: "one output, fewer examples, zero ablation", cli: ["--outputs", "1", "--examples", "200", "--ablation", "zero"],
      options: { outputs: [1], examples: 200, ablation: "zero" } },
    { name: "your own clean/corrupted pairs", cli: ["--clean", "$DIR/clean.csv", "--corrupt", "$DIR/corrupt.csv"],
      options: { pairs: { clean: CLEAN, corrupted: CORRUPT } } },
  ];

  it.each([0, 1, 2, 3])("discover row %i: the same spec, circuit hash and meta from every face", async (i) => {
    await writeFile(join(dir, "clean.csv"), CLEAN);
    await writeFile(join(dir, "corrupt.csv"), CORRUPT);
    const row = { ...discoverRows[i], cli: discoverRows[i].cli.map((a) => a.replace("$DIR", dir)) };
    const { path, model } = models[0];
    const specs: Record<string, DiscoverSpec> = {
      cli: resolveDiscover(await cliRaw(["discover", path, ...row.cli])),
      http: resolveDiscover(JSON.parse(JSON.stringify({ model, ...row.options }))),
      library: discoverSpec(model, row.options),
    };
    if (row.worker) specs.worker = resolveDiscover({ model, ...runInput(row.worker) });
    for (const face of Object.keys(specs)) expect(specs[face], `${row.name}: ${face}`).toEqual(specs.cli);

    const out = join(dir, `c${i}.json`);
    const cli = await brainwire("discover", path, ...row.cli, "--out", out, "--quiet");
    expect(cli.code, cli.stderr).toBe(0);
    const file = parseCircuit(await readFile(out, "utf8"));
    const http = (await post("/v1/discover", { model, ...row.options })).body;
    const lib = await discover(model, row.options);
    const circuits = { cli: file, http: http.circuit, library: lib.circuit,
      ...(row.worker ? { worker: (await runDiscovery(specs.worker)).circuit } : {}) };
    for (const [face, c] of Object.entries(circuits)) {
      const { scores: { timeMs: _t, ...scores }, ...rest } = c;
      const { scores: { timeMs: _w, ...want }, ...wantRest } = file;
      expect({ ...rest, scores }, `${row.name}: ${face}`).toEqual({ ...wantRest, scores: want });
    }
  });
});

/** A bad input as each face takes it, and the field every face must name. */
interface Bad {
  name: string;
  route: "train" | "discover";
  field: string;
  /** How the CLI names the field: a flag, or the model file. */
  cliField: string;
  message: RegExp;
  cli: string[];
  options: Record<string, unknown>;
  /** discover: the model as a file (CLI) and as data (the others). */
  model?: () => unknown;
}

let regression: ModelSnapshot;
let tokens: ModelSnapshot;
const edit = (m: ModelSnapshot, f: (c: Record<string, any>) => void) => {
  const c = structuredClone(m) as unknown as Record<string, any>;
  f(c);
  return c;
};

const bads = (): Bad[] => [
  { name: "unknown task", route: "train", field: "task", cliField: "--task", message: /unknown task "chess"/,
    cli: ["--task", "chess"], options: { task: "chess" } },
  { name: "unknown mode", route: "train", field: "mode", cliField: "--mode", message: /must be one of vanilla/,
    cli: ["--mode", "fast"], options: { mode: "fast" } },
  { name: "a fractional seed", route: "train", field: "seed", cliField: "--seed",
    message: /must be a whole number in 0 … 4294967295, got 1\.5/, cli: ["--seed", "1.5"], options: { seed: 1.5 } },
  { name: "a seed out of range", route: "train", field: "seed", cliField: "--seed", message: /got 4294967296/,
    cli: ["--seed", "4294967296"], options: { seed: 2 ** 32 } },
  { name: "zero steps", route: "train", field: "steps", cliField: "--steps", message: /whole number ≥ 1, got 0/,
    cli: ["--steps", "0"], options: { steps: 0 } },
  { name: "a shape over the memory budget", route: "train", field: "shape", cliField: "--shape",
    message: /training shape \[2,30000,30000,2\] needs about 27\.7 GiB of memory/,
    cli: ["--shape", "2,30000,30000,2"], options: { shape: [2, 30000, 30000, 2] } },
  { name: "a shape that does not fit the task", route: "train", field: "shape", cliField: "--shape",
    message: /\[3,20,2\] must run from the task's input size 2/, cli: ["--shape", "3,20,2"], options: { shape: [3, 20, 2] } },
  { name: "data that cannot be read", route: "train", field: "data", cliField: "--data",
    message: /CSV line 2, column "a": "x" is not a number/, cli: ["--data", "$DIR/bad.csv"],
    options: { data: { name: "$DIR/bad.csv", text: "a,b,c\nx,1,2" } } },
  { name: "a model that does not fit the task", route: "discover", field: "model", cliField: "model.json",
    message: /shape \[3,20,20,3\] does not fit task two-moons/, cli: ["--task", "two-moons"], options: { task: "two-moons" },
    model: () => regression },
  { name: "an embedding with fewer rows than tokens", route: "discover", field: "model", cliField: "model.json",
    message: /the data have 59 tokens, the embedding only 30 rows/, cli: [], options: {},
    model: () => edit(tokens, (c) => {
      c.spec.embed.tokens = 30;
      c.embedding = c.embedding.slice(0, 30 * c.spec.embed.dim);
    }) },
  { name: "a weight that is not a finite f32", route: "discover", field: "model", cliField: "model.json",
    message: /layers\[0\]\.weight\[0\]: 1e\+39 is not a finite f32/, cli: [], options: {},
    model: () => edit(regression, (c) => (c.layers[0].weight[0] = 1e39)) },
  { name: "a fractional seed in the model's meta", route: "discover", field: "model.meta.seed",
    cliField: "model.json meta.seed", message: /whole number in 0 … 4294967295, got 1\.5/, cli: [], options: {},
    model: () => edit(regression, (c) => (c.meta.seed = 1.5)) },
  { name: "an unknown task in the model's meta", route: "discover", field: "task", cliField: "--task",
    message: /the model's meta names task "chess", which is not a built-in task/, cli: [], options: {},
    model: () => edit(regression, (c) => (c.meta.task = "chess")) },
  { name: "nll on a regression model", route: "discover", field: "metric", cliField: "--metric",
    message: /nll needs class labels; this is a regression task/, cli: ["--metric", "nll"], options: { metric: "nll" },
    model: () => regression },
  { name: "EAP with KL", route: "discover", field: "metric", cliField: "--metric",
    message: /eap needs a metric with a gradient/, cli: ["--method", "eap", "--metric", "kl"],
    options: { method: "eap", metric: "kl" }, model: () => tokens },
  { name: "zero examples", route: "discover", field: "examples", cliField: "--examples",
    message: /whole number ≥ 1, got 0/, cli: ["--examples", "0"], options: { examples: 0 }, model: () => regression },
  { name: "a fractional number of examples", route: "discover", field: "examples", cliField: "--examples",
    message: /whole number ≥ 1, got 2\.5/, cli: ["--examples", "2.5"], options: { examples: 2.5 }, model: () => regression },
  { name: "an output that does not exist", route: "discover", field: "outputs[0]", cliField: "--outputs (item 1)",
    message: /7 is not an output index < 3/, cli: ["--outputs", "7"], options: { outputs: [7] }, model: () => regression },
];

describe("every bad input, every door", () => {
  beforeAll(async () => {
    regression = (await train({ task: "symbolic-sharing", steps: 20 })).model;
    tokens = (await train({ task: "modular-addition", steps: 5, shape: [64, 8, 59] })).model;
    await writeFile(join(dir, "bad.csv"), "a,b,c\nx,1,2");
  });

  it.each(bads().map((b) => [b.name, b] as const))("%s", async (_, bad) => {
    // Paths under the test's folder (made in beforeAll, after the table was read).
    const b: Bad = JSON.parse(JSON.stringify(bad).replaceAll("$DIR", dir));
    b.message = bad.message;
    b.model = bad.model;
    const model = b.model?.();
    const path = join(dir, "model.json");
    if (model !== undefined) await writeFile(path, JSON.stringify(model));
    // CLI: exit 2, "brainwire: <flag or file>: <problem>".
    const argv = b.route === "train" ? ["train", ...b.cli, "--out", join(dir, "never.json")] : ["discover", path, ...b.cli];
    const cli = await brainwire(...argv, "--quiet");
    expect(cli.code, cli.stderr).toBe(2);
    const where = b.cliField.replace("model.json", path);
    expect(cli.stderr.startsWith(`brainwire: ${where}: `), cli.stderr).toBe(true);
    expect(cli.stderr).toMatch(b.message);
    // HTTP: 400 with the field.
    const http = await post(`/v1/${b.route}`, b.route === "train" ? b.options : { model, ...b.options });
    expect(http.status).toBe(400);
    expect(http.body.field).toBe(b.field);
    expect(http.body.error).toMatch(b.message);
    // Library: a UserError of the field.
    const lib = b.route === "train" ? train(b.options as TrainOptions) : discover(model, b.options as DiscoverOptions);
    const err = await lib.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).field).toBe(b.field);
    expect((err as UserError).message).toMatch(b.message);
    // The worker resolves its messages with the same resolvers: the same message reaches the page.
    const resolve = () => (b.route === "train" ? resolveTrain(b.options) : resolveDiscover({ model, ...b.options }));
    expect(resolve).toThrow(new RegExp(`^${b.field.replace(/[[\].]/g, "\\$&")}: `));
  });

  it("an unknown option: the CLI's usage error, the body's and the library's UserError", async () => {
    const cli = await brainwire("train", "--learning-rate", "1");
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/^brainwire: unknown option '--learning-rate'/);
    const http = await post("/v1/train", { learningRate: 1 });
    expect(http).toMatchObject({ status: 400, body: { field: "body", error: "body: unknown option(s) learningRate" } });
    await expect(train({ learningRate: 1 } as never)).rejects.toThrow(/unknown option\(s\) learningRate/);
  });
});
