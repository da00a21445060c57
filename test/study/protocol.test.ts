// The protocol on --quick-sized runs (every schedule step × 0.05, three τ), and the report formats
// made from its records.
import { beforeAll, describe, expect, it } from "vitest";
import { runStudy } from "../../src/app/index.ts";
import { defaultConfig, planRuns, scaleSteps } from "../../src/study/protocol.ts";
import { studyDocument, toCsv, toMarkdown } from "../../src/study/report.ts";
import { STUDY_METHODS, type RunRecord, type StudyConfig, type StudyProgress } from "../../src/study/types.ts";
import type { ModelSnapshot } from "../../src/model/spec.ts";
import { getTask } from "../../src/tasks/index.ts";
import { reportHtml } from "../../src/viz/report-html.ts";
import { expectWellFormedSvg } from "../viz/svg-check.ts";

const config: StudyConfig = defaultConfig({
  tasks: ["symbolic-independence"],
  modes: ["vanilla", "bimt"],
  seeds: [0],
  stepScale: 0.05,
  grid: [1e-3, 1e-2, 1e-1],
  inference: { repetitions: 3, minMs: 2 },
});
const env = { brainwire: "test", wasm: "0000000000000000", runtime: "vitest" };

let runs: RunRecord[] = [];
const progress: StudyProgress[] = [];

beforeAll(async () => {
  const written: RunRecord[] = [];
  const out = await runStudy(config, { onRecord: (r) => void written.push(r), onProgress: (p) => progress.push(p),
    heapBytes: () => 1234 });
  expect(out).toMatchObject({ planned: 2, aborted: false });
  expect(written).toEqual(out.runs);
  runs = out.runs;
});

describe("study protocol", () => {
  it("scales every schedule step number, and plans task × seed × mode", () => {
    const s = scaleSteps(getTask("symbolic-independence").settings, 0.1);
    expect(s.steps).toBe(2000);
    expect(s.lambda.map((p) => p.from)).toEqual([0, 500, 1500]);
    expect(s.swapEvery).toBe(20);
    expect(s.biasPenaltyFrom).toBe(0.75); // a fraction of training, not a step number
    expect(() => scaleSteps(s, 0)).toThrow(/step scale/);
    expect(planRuns({ ...config, seeds: [0, 1] }).map((p) => `${p.seed}${p.mode}`))
      .toEqual(["0vanilla", "0bimt", "1vanilla", "1bimt"]);
  });

  it("records every field of a run: training, each method at the default τ and over the sweep, inference", () => {
    expect(runs.map((r) => [r.run, r.task, r.mode, r.seed])).toEqual([
      [1, "symbolic-independence", "vanilla", 0], [2, "symbolic-independence", "bimt", 0]]);
    for (const r of runs) {
      expect(r.settings.steps).toBe(1000);
      expect(r.discovery).toEqual({ ablation: "resample", tau: 1e-2, grid: config.grid, fraction: 0.1, examples: 1000 });
      expect(r.train).toMatchObject({ metric: "mse", steps: 1000, jsHeapPeak: 1234 });
      for (const k of ["test", "train", "cost", "wireLength", "wallMs", "stepsPerSecond", "wasmBytes", "wasmPeakInUse"]) {
        expect(r.train[k as "test"], k).toBeGreaterThan(0);
      }
      expect(r.train.modelHash).toMatch(/^[0-9a-f]{16}$/);
      expect(r.train.curves.step.length).toBeGreaterThan(10);
      for (const m of STUDY_METHODS) {
        const { atDefault: at, sweep } = r.methods[m];
        expect(at.edges).toBeLessThanOrEqual(at.totalEdges);
        expect(at.totalEdges).toBe(520);
        for (const k of ["faithfulness", "sparsity", "neurons", "modularity", "ms", "evaluations"] as const) {
          expect(Number.isFinite(at[k]), `${m} ${k}`).toBe(true);
        }
        expect(at.task.metric).toBe("mse");
        expect(at.found).toHaveLength(2); // per-output circuits for the ground truth
        expect(at.groundTruth!.precision).toBeGreaterThanOrEqual(0);
        expect(sweep.points.map((p) => p.tau)).toEqual(config.grid);
        expect(sweep.area).toBeGreaterThanOrEqual(0);
        expect(sweep.auc).toBeGreaterThanOrEqual(0);
      }
      expect(r.methods.acdc.atDefault.tau).toBe(1e-2);
      // EAP keeps as many edges as ACDC at the same τ
      expect(r.methods.eap.atDefault.edges).toBe(r.methods.acdc.atDefault.edges);
      expect(r.methods.eap.sweep.points.map((p) => p.edges)).toEqual(r.methods.acdc.sweep.points.map((p) => p.edges));
      expect(r.inference.denseSamplesPerSecond).toBeGreaterThan(0);
      expect(r.inference.circuitSamplesPerSecond).toBeGreaterThan(0);
      expect(r.inference.examples).toBe(100);
      expect((r.model as ModelSnapshot | undefined)?.spec.shape).toEqual([4, 20, 20, 2]); // first seed: the pictures' data
      expect(r.circuit?.edges.length).toBe(r.methods.acdc.atDefault.edges);
    }
    expect(JSON.parse(JSON.stringify(runs))).toEqual(runs); // plain JSON data
  });

  it("reports run i of N and the phase", () => {
    const phases = [...new Set(progress.filter((p) => p.done === undefined).map((p) => `${p.run}/${p.runs} ${p.phase}`))];
    expect(phases).toEqual(["1/2 train", "1/2 discover", "1/2 infer", "2/2 train", "2/2 discover", "2/2 infer"]);
    expect(progress.some((p) => p.phase === "train" && p.done === 1000 && p.total === 1000)).toBe(true);
  });

  it("gives the same model and circuits for the same seed", async () => {
    const again = await runStudy({ ...config, modes: ["bimt"] }, { onRecord: () => {} });
    const r = again.runs[0];
    expect(r.train.modelHash).toBe(runs[1].train.modelHash);
    expect(STUDY_METHODS.map((m) => r.methods[m].atDefault.circuitHash))
      .toEqual(STUDY_METHODS.map((m) => runs[1].methods[m].atDefault.circuitHash));
  });

  it("keeps the finished runs when aborted", async () => {
    const ctl = new AbortController();
    const written: RunRecord[] = [];
    const out = await runStudy({ ...config, seeds: [0, 1] }, { signal: ctl.signal, onRecord: (r) => {
      written.push(r);
      ctl.abort();
    } });
    expect(out).toMatchObject({ planned: 4, aborted: true });
    expect(out.runs).toHaveLength(1);
    expect(written).toEqual(out.runs);
  });
});

describe("study report", () => {
  it("writes Markdown with a table per task and a verdict", () => {
    const md = toMarkdown(studyDocument(config, env, runs, 2, false));
    expect(md).toMatch(/^# brainwire study/);
    expect(md).toMatch(/protocol and all settings are ours/);
    expect(md).toMatch(/## symbolic-independence/);
    const rows = md.split("\n").filter((l) => l.startsWith("| "));
    const widths = new Set(rows.filter((l) => !l.includes("method")).slice(0, 4).map((l) => l.split(" | ").length));
    expect(widths.size).toBe(1); // header, rule and rows have the same number of cells
    expect(md).toMatch(/\| bimt \|/);
    expect(md).toMatch(/truth ROC AUC ↑/);
    expect(md).toMatch(/\*\*Verdict\.\*\* symbolic-independence \(1 seed, our settings\)/);
  });

  it("writes one CSV row per run with a value in every column that has one", () => {
    const csv = toCsv(runs).trimEnd().split("\n");
    expect(csv).toHaveLength(3);
    const head = csv[0].split(",");
    expect(head).toContain("acdc_faithfulness");
    expect(head).toContain("eap_acdc_auc");
    for (const line of csv.slice(1)) {
      const cells = line.split(",");
      expect(cells).toHaveLength(head.length);
      expect(cells[head.indexOf("acdc_edges")]).toMatch(/^\d+$/);
    }
  });

  it("writes a study document that survives JSON and names its versions", () => {
    const doc = studyDocument(config, env, runs, 2, false);
    const back = JSON.parse(JSON.stringify(doc));
    expect(back).toEqual(doc);
    expect(back).toMatchObject({ format: "brainwire.study", version: 1, environment: env, planned: 2 });
    expect(back.runs[0].settings.steps).toBe(1000);
    expect(back.tables[0].rows).toHaveLength(2);
    expect(back.verdicts[0].text).toMatch(/BIMT/);
  });

  it("writes self-contained HTML with the tables, curves and network pictures", () => {
    const html = reportHtml(studyDocument(config, env, runs, 2, false));
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http|url\(/);
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g)!;
    // per task: 3 charts, and a network and its circuit per mode
    expect(svgs).toHaveLength(3 + 2 * 2);
    for (const svg of svgs) expectWellFormedSvg(svg);
    for (const t of ["table", "tr", "p", "h2", "h3", "div"]) {
      expect((html.match(new RegExp(`<${t}[ >]`, "g")) ?? []).length, t).toBe(html.split(`</${t}>`).length - 1);
    }
    expect(html).toContain("faithfulness vs edges");
    expect(html).toContain("bimt: ACDC circuit");
    expect(html).toMatch(/<td class="best">/);
    expect((html.match(/<table>/g) ?? []).length).toBe(3);
  });
});
