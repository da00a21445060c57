// `brainwire study` as a user runs it: the bundled CLI in a child process, on a tiny config.
import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleCli, type CliResult } from "../helpers/cli.ts";

let dir = "";
let cli = "";
let brainwire: (...args: string[]) => Promise<CliResult>;
const tiny = ["--tasks", "two-moons", "--modes", "vanilla,bimt", "--seeds", "1", "--step-scale", "0.05",
  "--tau-grid", "1e-3,1e-2"];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "brainwire-study-"));
  brainwire = await bundleCli("study-cli.mjs");
  cli = join(process.cwd(), "node_modules/.cache/brainwire-test/study-cli.mjs");
});

describe("brainwire study", () => {
  it("runs a tiny study and writes results.jsonl, Markdown, JSON, CSV and HTML", async () => {
    const out = join(dir, "a");
    const r = await brainwire("study", ...tiny, "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/run 1\/2 {2}two-moons · vanilla · seed 0/);
    expect(r.stdout).toMatch(/## two-moons/);
    expect(r.stdout).toMatch(/done: 2 of 2 runs/);
    const lines = (await readFile(join(out, "results.jsonl"), "utf8")).trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l).mode)).toEqual(["vanilla", "bimt"]);
    const doc = JSON.parse(await readFile(join(out, "report.json"), "utf8"));
    expect(doc).toMatchObject({ format: "brainwire.study", planned: 2, aborted: false });
    expect(doc.config).toMatchObject({ tasks: ["two-moons"], seeds: [0], stepScale: 0.05, grid: [1e-3, 1e-2] });
    expect(doc.environment.runtime).toMatch(/^node v/);
    expect(doc.environment.wasm).toMatch(/^[0-9a-f]{16}$/);
    expect(doc.runs[1].settings.steps).toBe(500);
    expect(await readFile(join(out, "report.md"), "utf8")).toMatch(/\*\*Verdict\.\*\*/);
    expect((await readFile(join(out, "report.csv"), "utf8")).trimEnd().split("\n")).toHaveLength(3);
    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<svg");
    expect(r.stdout).toMatch(/^study: 2 runs \(tasks × seeds × modes = 1 × 1 × 2\), 1,000 training steps/m);
    expect(r.stdout).toMatch(/run 1\/2 .* \(about \d+ (s|min) left\)/);
  });

  it("a second run into the same folder keeps the first report", async () => {
    const out = join(dir, "twice");
    expect((await brainwire("study", ...tiny, "--seeds", "1", "--modes", "vanilla", "--out", out, "--quiet")).code).toBe(0);
    const first = await readFile(join(out, "report.json"), "utf8");
    const again = await brainwire("study", ...tiny, "--seeds", "1", "--modes", "vanilla", "--out", out);
    expect(again.code, again.stderr).toBe(0);
    const moved = again.stdout.match(/the earlier report in .* moved to (\S+)/)?.[1];
    expect(moved).toBeDefined();
    expect(await readFile(join(moved!, "report.json"), "utf8")).toBe(first);
    expect(JSON.parse(await readFile(join(out, "report.json"), "utf8")).planned).toBe(1);
  });

  it("stops on Ctrl-C and writes the report from the runs that finished", async () => {
    const out = join(dir, "b");
    const child = spawn("node", [cli, "study", "--tasks", "two-moons,symbolic-sharing", "--modes", "vanilla,bimt",
      "--seeds", "2", "--step-scale", "0.2", "--tau-grid", "1e-3,1e-2", "--out", out]);
    let stdout = "";
    let sent = false; // a second Ctrl-C kills at once, as it should
    child.stdout.on("data", (b) => {
      stdout += String(b);
      if (!sent && /run 1\/8/.test(stdout)) sent = child.kill("SIGINT");
    });
    const code = await new Promise((done) => child.on("close", done));
    expect(code).toBe(0);
    expect(stdout).toMatch(/interrupted: \d of 8 runs/);
    const doc = JSON.parse(await readFile(join(out, "report.json"), "utf8"));
    expect(doc.aborted).toBe(true);
    expect(doc.runs.length).toBeGreaterThanOrEqual(1);
    expect(doc.runs.length).toBeLessThan(8);
    const lines = (await readFile(join(out, "results.jsonl"), "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(doc.runs.length);
    expect(await readFile(join(out, "report.html"), "utf8")).toContain("<svg");
  });

  it("rejects bad flags with a clear error", async () => {
    for (const [args, message] of [
      [["--tasks", "nope"], /^brainwire: --tasks: unknown task "nope"/],
      [["--modes", "fast"], /^brainwire: --modes: must be one of vanilla, .*got "fast"/],
      [["--seeds", "0"], /^brainwire: --seeds: must be a whole number ≥ 1/],
      [["--tau-grid", "1e-3,x"], /^brainwire: --tau-grid: "x" is not a positive number/],
      [["--step-scale", "2"], /^brainwire: --step-scale: must be at most 1/],
      [["--quick", "--step-scale", "0.5"], /^brainwire: --step-scale: .*give one of them/],
      [["--ablation", "noise"], /^brainwire: --ablation: must be one of zero, mean, resample, got "noise"/],
    ] as [string[], RegExp][]) {
      const r = await brainwire("study", ...args, "--out", join(dir, "bad"), "--quiet");
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
