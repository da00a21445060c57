// The command line as a user runs it: a bundle of src/cli.ts in a child process.
import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseModel } from "../../src/model/io.ts";
import { exportSafetensors } from "../../src/model/safetensors.ts";
import { bundleCli, type CliResult } from "../helpers/cli.ts";

let dir = "";
let brainwire: (...args: string[]) => Promise<CliResult>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "brainwire-cli-"));
  brainwire = await bundleCli("cli.mjs");
});

describe("brainwire train", () => {
  it("trains, prints the summary, writes a loadable model and its picture", async () => {
    const out = join(dir, "m.json");
    const r = await brainwire("train", "--task", "two-moons", "--mode", "bimt", "--steps", "400", "--out", out, "--quiet");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/test\s+accuracy \d+\.\d+%/);
    expect(r.stdout).toMatch(/steps\s+400 at \d+ steps\/s/);
    expect(r.stdout).toMatch(/peak memory\s+WASM [\d.]+ MiB, JS heap/);
    const model = parseModel(await readFile(out, "utf8"));
    expect(model.spec.shape).toEqual([2, 20, 20, 2]);
    expect(model.meta?.mode).toBe("bimt");
    const svg = await readFile(join(dir, "m.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
  });

  it("applies setting overrides", async () => {
    const out = join(dir, "o.json");
    const r = await brainwire("train", "--task", "symbolic-sharing", "--mode", "l1", "--steps", "50",
      "--shape", "3,8,3", "--lambda", "1e-3,20:1e-2", "--out", out, "--quiet");
    expect(r.code, r.stderr).toBe(0);
    const model = parseModel(await readFile(out, "utf8"));
    expect(model.spec.shape).toEqual([3, 8, 3]);
    expect((model.meta?.settings as { lambda: unknown }).lambda).toEqual([{ from: 0, value: 1e-3 }, { from: 20, value: 1e-2 }]);
  });

  it("trims target names, and says when scores are not on held-out data", async () => {
    const csv = ["a,b,y", ...Array.from({ length: 30 }, (_, i) => `${i % 3},${(i * 5) % 7},${(i % 4) / 4}`)].join("\n");
    const file = join(dir, "t.csv");
    await writeFile(file, csv);
    const out = join(dir, "t.json");
    const r = await brainwire("train", "--data", file, "--targets", " y ", "--steps", "50", "--out", out, "--quiet");
    expect(r.code, r.stderr).toBe(0);
    expect(parseModel(await readFile(out, "utf8")).meta?.data).toMatchObject({ targets: ["y"], rows: { train: 30, test: 0 } });
    const d = await brainwire("discover", out, "--data", file, "--quiet");
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/faithfulness +mse .*\(on the training data: no held-out split\)/);
    expect(d.stdout).not.toMatch(/held out\)/);
  });

  it("trains on user CSV data", async () => {
    const csv = ["a,b,label", ...Array.from({ length: 40 }, (_, i) => `${i % 2},${(i * 7) % 5},${i % 2}`)].join("\n");
    const file = join(dir, "d.csv");
    await writeFile(file, csv);
    const r = await brainwire("train", "--data", file, "--classification", "--test-fraction", "0.25", "--steps", "200",
      "--out", join(dir, "u.json"), "--quiet");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/test\s+accuracy/);
  });

  it.each([
    [["--task", "nope"], /^brainwire: --task: unknown task "nope"; the tasks are: .*two-moons/],
    [["--mode", "fast"], /^brainwire: --mode: must be one of vanilla, l1, .*got "fast"/],
    [["--lambda", "abc"], /^brainwire: --lambda: bad λ schedule "abc"/],
    [["--steps", "0"], /^brainwire: --steps: must be a whole number ≥ 1, got 0/],
    [["--steps", "abc"], /^brainwire: option '--steps <n>' argument 'abc' is invalid/],
    [["--shape", "3,20,2"], /^brainwire: --shape: \[3,20,2\] must run from the task's input size 2 to its output size 2/],
    [["--shape", "2,30000,30000,2"], /^brainwire: --shape: .* needs about 27\.7 GiB of memory, more than the 4 GiB/],
    [["--memory-budget", "0.1"], /^brainwire: --shape: .* over the budget of 102\.4 KiB/],
    [["--seed", "-1"], /^brainwire: --seed: must be a whole number in 0 … 4294967295, got -1/],
    [["--data", "x.txt"], /^brainwire: --data: no such file: x\.txt/],
    [["--targets", "y"], /^brainwire: --targets: applies to --data only/],
    [["--frobnicate"], /^brainwire: unknown option '--frobnicate'/],
  ])("rejects %j with a clear error and exit code 2", async (args, message) => {
    const r = await brainwire("train", ...(args as string[]), "--out", join(dir, "bad.json"), "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stdout).toBe("");
  });

  it("refuses an output path that is a folder before training, and creates missing folders", async () => {
    const r = await brainwire("train", "--steps", "10", "--out", dir, "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^brainwire: --out: .* is a folder; give a file name/);
    const nested = join(dir, "new/deeper/m.json");
    expect((await brainwire("train", "--steps", "10", "--out", nested, "--quiet")).code).toBe(0);
    expect(parseModel(await readFile(nested, "utf8")).meta?.steps).toBe(10);
  });

  it("bin/brainwire.js without a build says how to build, in one line", async () => {
    const fake = join(dir, "unbuilt");
    await mkdir(join(fake, "bin"), { recursive: true });
    await copyFile(join(process.cwd(), "bin/brainwire.js"), join(fake, "bin/brainwire.js"));
    const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn("node", [join(fake, "bin/brainwire.js"), "--version"]);
      let stderr = "";
      child.stderr.on("data", (b) => (stderr += String(b)));
      child.on("close", (code) => done({ code, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^brainwire: not built yet: run `npm run build`.*\n$/);
  });

  it("--version prints the package's version", async () => {
    const r = await brainwire("--version");
    expect(r.code).toBe(0);
    const pkg = JSON.parse(await readFile(join(process.cwd(), "package.json"), "utf8"));
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("prints no progress-bar carriage returns when its output is piped", async () => {
    const r = await brainwire("train", "--steps", "300", "--out", join(dir, "piped.json"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/\r/);
  });
});

describe("brainwire train, interrupted", () => {
  it("stops on Ctrl-C and still writes the model trained so far", async () => {
    const out = join(dir, "stopped.json");
    const cli = join(process.cwd(), "node_modules/.cache/brainwire-test/cli.mjs"); // bundled in beforeAll
    const child = spawn("node", [cli, "train", "--task", "two-moons", "--steps", "1000000", "--out", out]);
    let stdout = "";
    let sent = false; // a second Ctrl-C would kill at once
    child.stdout.on("data", (b) => {
      stdout += String(b);
      if (!sent && /training two-moons/.test(stdout)) {
        sent = true;
        setTimeout(() => child.kill("SIGINT"), 300);
      }
    });
    const code = await new Promise((done) => child.on("close", done));
    expect(code).toBe(0);
    expect(stdout).toMatch(/interrupted: two-moons/);
    const model = parseModel(await readFile(out, "utf8"));
    expect(model.meta?.aborted).toBe(true);
    expect(model.meta?.steps).toBeGreaterThan(0);
    expect(model.meta?.steps).toBeLessThan(1_000_000);
  });
});

describe("brainwire draw and import", () => {
  it("draws a saved model and imports safetensors", async () => {
    const out = join(dir, "d.json");
    expect((await brainwire("train", "--steps", "20", "--out", out, "--quiet")).code).toBe(0);
    const svgPath = join(dir, "net.svg");
    const r = await brainwire("draw", out, "--out", svgPath);
    expect(r.code, r.stderr).toBe(0);
    expect((await readFile(svgPath, "utf8")).match(/<circle/g)?.length).toBeGreaterThanOrEqual(2 + 20 + 20 + 2);

    const snapshot = parseModel(await readFile(out, "utf8"));
    const st = join(dir, "m.safetensors");
    await writeFile(st, exportSafetensors(snapshot));
    const imported = join(dir, "imported.json");
    const i = await brainwire("import", st, "--out", imported);
    expect(i.code, i.stderr).toBe(0);
    expect(parseModel(await readFile(imported, "utf8")).layers).toEqual(snapshot.layers);

    await writeFile(st, exportSafetensors(snapshot).subarray(0, 100));
    const bad = await brainwire("import", st, "--out", imported);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^brainwire: .*m\.safetensors: .+/);
  });

  it("reports a bad model file instead of crashing", async () => {
    const file = join(dir, "broken.json");
    await writeFile(file, '{"format":"brainwire.model","version":1');
    const r = await brainwire("draw", file, "--out", join(dir, "x.svg"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^brainwire: .*broken\.json: model file is not valid JSON/);
    const missing = await brainwire("draw", join(dir, "missing.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^brainwire: .*missing\.json: no such file: .*missing\.json\n$/);
  });
});

describe("brainwire discover", () => {
  it("finds a circuit, writes it, draws it over the network, and sweeps τ", async () => {
    const model = join(dir, "si.json");
    expect((await brainwire("train", "--task", "symbolic-independence", "--steps", "3000", "--out", model, "--quiet")).code).toBe(0);
    const circuit = join(dir, "c.json");
    const r = await brainwire("discover", model, "--tau", "1e-2", "--outputs", "0", "--out", circuit, "--quiet");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/edges kept\s+\d+ of 520/);
    expect(r.stdout).toMatch(/faithfulness\s+mse/);
    expect(r.stdout).toMatch(/ground truth\s+precision/);
    const saved = JSON.parse(await readFile(circuit, "utf8"));
    expect(saved.format).toBe("brainwire.circuit");
    expect(saved.settings).toMatchObject({ method: "acdc", ablation: "resample", metric: "mse", tau: 0.01, outputs: [0] });

    const svg = join(dir, "c.svg");
    const d = await brainwire("draw", model, "--circuit", circuit, "--out", svg);
    expect(d.code, d.stderr).toBe(0);
    expect(await readFile(svg, "utf8")).toContain(`${saved.edges.length} edges kept`);

    const sweep = join(dir, "sweep.json");
    const sweepSvg = join(dir, "sweep.svg");
    const s = await brainwire("discover", model, "--sweep", "--grid", "1e-4,1e-3,1e-2", "--out", sweep, "--svg", sweepSvg,
      "--quiet");
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/area under faithfulness-vs-edges/);
    // The τ table is printed (also with --quiet: it is the result), and --svg draws the circuit at --tau.
    expect(s.stdout).toMatch(/τ +edges +faithfulness +time\n +1e-4 +\d+ .*\n +1e-3 +\d+ .*\n +1e-2 +\d+ /);
    expect(await readFile(sweepSvg, "utf8")).toMatch(/^<svg/);
    expect(s.stdout).toMatch(/ground-truth ROC AUC\s+[01]\.\d{3}/);
    const points = JSON.parse(await readFile(sweep, "utf8")).points as { edges: number }[];
    expect(points.map((p) => p.edges)).toEqual([...points.map((p) => p.edges)].sort((a, b) => b - a));
  });

  it("refuses a circuit drawn over another model, and bad options", async () => {
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    expect((await brainwire("train", "--steps", "20", "--seed", "1", "--out", a, "--quiet")).code).toBe(0);
    expect((await brainwire("train", "--steps", "20", "--seed", "2", "--out", b, "--quiet")).code).toBe(0);
    const circuit = join(dir, "ca.json");
    expect((await brainwire("discover", a, "--out", circuit, "--quiet")).code).toBe(0);
    const wrong = await brainwire("draw", b, "--circuit", circuit, "--out", join(dir, "w.svg"));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^brainwire: --circuit: .* belongs to another model/);
    for (const [args, message] of [
      [["--tau", "0"], /^brainwire: --tau: must be a finite number > 0, got 0/],
      [["--method", "magic"], /^brainwire: --method: must be one of acdc, acdc-nodes, eap, eap-ig, eap-acdc, got "magic"/],
      [["--ablation", "erase"], /^brainwire: --ablation: must be one of zero, mean, resample, got "erase"/],
      [["--outputs", "x"], /^brainwire: --outputs \(item 1\): must be a number, got "x"/],
      [["--outputs", "5"], /^brainwire: --outputs \(item 1\): 5 is not an output index < 2/],
      [["--examples", "0"], /^brainwire: --examples: must be a whole number ≥ 1, got 0/],
      [["--steps", "5"], /^brainwire: unknown option '--steps'/],
      [["--method", "eap", "--metric", "kl"], /^brainwire: --metric: eap needs a metric with a gradient/],
      [["--metric", "nll", "--task", "symbolic-sharing"], /^brainwire: .*a\.json: shape \[2,20,20,2\] does not fit task symbolic-sharing/],
    ] as [string[], RegExp][]) {
      const r = await brainwire("discover", a, ...args, "--quiet");
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
