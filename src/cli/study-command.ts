// `brainwire study`: runs the study protocol (src/study) and writes its report. The Node edge: files,
// the JS heap, the machine description and Ctrl-C live here. Each finished run is appended to
// results.jsonl at once; the report files are written from whatever finished, also after Ctrl-C.
import { appendFile, mkdir, readdir, rename, stat, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { runStudy, studyRunSpecs, UserError, VERSION } from "../app/index.ts";
import { logGrid } from "../circuits/sweep.ts";
import type { Ablation } from "../circuits/types.ts";
import { defaultConfig, planRuns, QUICK_SCALE, scaleSteps, wasmVersion } from "../study/protocol.ts";
import { studyDocument, toCsv, toMarkdown } from "../study/report.ts";
import type { Environment, RunRecord, StudyConfig, StudyProgress } from "../study/types.ts";
import { getTask, taskNames } from "../tasks/index.ts";
import { MODES, type Mode } from "../train/modes.ts";
import { reportHtml } from "../viz/report-html.ts";
import { prepareOutput } from "./files.ts";
import { seconds } from "./format.ts";

export interface StudyFlags {
  tasks?: string;
  modes?: string;
  seeds: number;
  quick?: boolean;
  stepScale?: number;
  tauGrid?: string;
  ablation: string;
  fraction?: number;
  out: string;
  quiet?: boolean;
}

/** The study's config from its flags; every run is resolved (and so checked) before the first starts. */
export function studyConfig(f: StudyFlags): StudyConfig {
  const list = (v: string) => v.split(",").map((t) => t.trim());
  const tasks = !f.tasks ? undefined : f.tasks === "all" ? taskNames : list(f.tasks);
  const modes = !f.modes ? undefined : f.modes === "ladder" ? [...MODES] : list(f.modes);
  if (!Number.isInteger(f.seeds) || f.seeds < 1) throw new UserError("--seeds", `must be a whole number ≥ 1, got ${f.seeds}`);
  if (f.quick && f.stepScale !== undefined) throw new UserError("--step-scale", "--quick is --step-scale 0.1: give one of them");
  const grid = f.tauGrid ? list(f.tauGrid).map(positive).sort((a, b) => a - b) : logGrid();
  const config = defaultConfig({
    ...(tasks ? { tasks } : {}),
    ...(modes ? { modes: modes as Mode[] } : {}),
    seeds: Array.from({ length: f.seeds }, (_, i) => i),
    stepScale: f.stepScale ?? (f.quick ? QUICK_SCALE : 1),
    grid,
    ablation: f.ablation as Ablation,
    ...(f.fraction !== undefined ? { fraction: f.fraction } : {}),
  });
  try {
    studyRunSpecs(config);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(STUDY_FLAGS[err.field] ?? err.field, err.problem);
    throw err;
  }
  return config;
}

/** Fields of a study-run spec, as the study's flags. */
const STUDY_FLAGS: Record<string, string> = { task: "--tasks", mode: "--modes", stepScale: "--step-scale",
  grid: "--tau-grid", ablation: "--ablation", fraction: "--fraction" };

export async function studyCommand(f: StudyFlags): Promise<void> {
  const config = studyConfig(f);
  const environment: Environment = {
    brainwire: VERSION,
    wasm: wasmVersion(),
    runtime: `node ${process.version}`,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model.trim(),
    cores: cpus().length,
    memoryBytes: totalmem(),
    date: new Date().toISOString(),
    command: `brainwire study ${process.argv.slice(3).join(" ")}`.trim(),
  };
  await prepareOutput(join(f.out, "report.json"), "--out");
  const kept = await keepEarlierReport(f.out);
  if (kept) console.log(`the earlier report in ${f.out} moved to ${kept}`);
  const plan = planRuns(config);
  const planned = plan.length;
  const work = plan.map((p) => workUnits(config, p.task));
  const allWork = work.reduce((a, b) => a + b, 0);
  if (!f.quiet) {
    console.log(`study: ${planned} runs (tasks × seeds × modes = ${config.tasks.length} × ${config.seeds.length} × ` +
      `${config.modes.length}), ${plan.reduce((n, p) => n + scaleSteps(getTask(p.task).settings,
        config.stepScale).steps, 0).toLocaleString("en")} training steps; the time left is estimated after the first run`);
  }
  const jsonl = join(f.out, "results.jsonl");
  await writeFile(jsonl, "");

  const controller = new AbortController();
  const onSigint = () => {
    status.clear();
    console.error("brainwire: stopping… (the report will hold the runs that finished; Ctrl-C again quits at once)");
    controller.abort();
  };
  process.once("SIGINT", onSigint);
  const status = statusLine(!f.quiet && process.stdout.isTTY === true);
  const t0 = performance.now();
  let outcome;
  try {
    outcome = await runStudy(config, {
      signal: controller.signal,
      heapBytes: () => process.memoryUsage().heapUsed,
      onProgress: (p) => status.show(p),
      onRecord: async (r) => {
        await appendFile(jsonl, JSON.stringify(r) + "\n");
        status.clear();
        const done = work.slice(0, r.run).reduce((a, b) => a + b, 0);
        const left = r.run < planned ? (performance.now() - t0) / done * (allWork - done) : 0;
        if (!f.quiet) console.log(runLine(r, planned) + (left > 0 ? `  (about ${duration(left)} left)` : ""));
      },
    });
  } finally {
    process.off("SIGINT", onSigint);
    status.clear();
  }
  const doc = studyDocument(config, environment, outcome.runs, outcome.planned, outcome.aborted);
  const markdown = toMarkdown(doc);
  await writeFile(join(f.out, "report.md"), markdown);
  await writeFile(join(f.out, "report.json"), JSON.stringify(doc, null, 1));
  await writeFile(join(f.out, "report.csv"), toCsv(doc.runs));
  await writeFile(join(f.out, "report.html"), reportHtml(doc));
  console.log(`\n${markdown}`);
  console.log(`${outcome.aborted ? "interrupted" : "done"}: ${outcome.runs.length} of ${outcome.planned} runs in ` +
    `${seconds(performance.now() - t0)}; report in ${join(f.out, "report.html")} (also .md, .json, .csv; ` +
    `raw runs in results.jsonl)`);
}

/**
 * A run's share of the study's time, for the estimate of the time left: training steps × the examples
 * and weights a step touches (discovery grows with the same sizes).
 */
function workUnits(c: StudyConfig, taskName: string): number {
  const s = scaleSteps(getTask(taskName).settings, c.stepScale);
  const shape = s.model.shape;
  let weights = 0;
  for (let l = 0; l + 1 < shape.length; l++) weights += shape[l] * shape[l + 1];
  return s.steps * (s.batch ?? 1000) * weights + c.grid.length * 1000 * weights;
}

function duration(ms: number): string {
  const min = ms / 60000;
  if (min < 1) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (min < 90) return `${Math.round(min)} min`;
  return `${(min / 60).toFixed(1)} h`;
}

/** Moves an earlier study's files in `out` into out/earlier-<its date>/; returns that folder, if any. */
async function keepEarlierReport(out: string): Promise<string | undefined> {
  const names = ["results.jsonl", "report.md", "report.json", "report.csv", "report.html"];
  const present = (await readdir(out)).filter((n) => names.includes(n));
  if (present.length === 0) return undefined;
  const date = (await stat(join(out, present[0]))).mtime.toISOString().replace(/[:.]/g, "-").slice(0, 19);
  let dir = join(out, `earlier-${date}`);
  for (let i = 2; await stat(dir).then(() => true, () => false); i++) dir = join(out, `earlier-${date}-${i}`);
  await mkdir(dir);
  for (const n of present) await rename(join(out, n), join(dir, n));
  return dir;
}

function runLine(r: RunRecord, planned: number): string {
  const test = r.train.metric === "accuracy" ? `accuracy ${(100 * r.train.test).toFixed(1)}%` :
    `MSE ${r.train.test.toExponential(2)}`;
  const a = r.methods.acdc.atDefault;
  return `run ${r.run}/${planned}  ${r.task} · ${r.mode} · seed ${r.seed}  test ${test}  ` +
    `trained in ${seconds(r.train.wallMs)}  ACDC ${a.edges}/${a.totalEdges} edges, ` +
    `${a.faithfulnessMetric} ${a.faithfulness.toExponential(2)}`;
}

/** One rewritten terminal line with the current run and phase (nothing when not a terminal). */
function statusLine(enabled: boolean): { show(p: StudyProgress): void; clear(): void } {
  let last = 0;
  let shown = false;
  return {
    show(p) {
      const now = performance.now();
      if (!enabled || (p.done !== undefined && now - last < 100)) return;
      last = now;
      shown = true;
      const part = p.total ? ` ${p.done}/${p.total}` : "";
      process.stdout.write(`\r\x1b[K  run ${p.run}/${p.runs} · ${p.task} · ${p.mode} · seed ${p.seed} · ${p.phase}${part}`);
    },
    clear() {
      if (shown) process.stdout.write("\r\x1b[K");
      shown = false;
    },
  };
}

function positive(t: string): number {
  const n = Number(t);
  if (!(n > 0 && Number.isFinite(n))) throw new UserError("--tau-grid", `"${t}" is not a positive number`);
  return n;
}
