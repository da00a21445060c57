// `brainwire study`: runs the study protocol (src/study) and writes its report. The Node edge: files,
// the JS heap, the machine description and Ctrl-C live here. Each finished run is appended to
// results.jsonl at once; the report files are written from whatever finished, also after Ctrl-C.
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { checkAblation } from "../circuits/ablation.ts";
import { logGrid } from "../circuits/sweep.ts";
import { VERSION } from "../index.ts";
import { defaultConfig, planRuns, QUICK_SCALE, runStudy, wasmVersion } from "../study/protocol.ts";
import { studyDocument, toCsv, toMarkdown } from "../study/report.ts";
import type { Environment, RunRecord, StudyProgress } from "../study/types.ts";
import { getTask, taskNames } from "../tasks/index.ts";
import { MODES, parseMode } from "../train/modes.ts";
import { reportHtml } from "../viz/report-html.ts";
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

export async function studyCommand(f: StudyFlags): Promise<void> {
  const tasks = !f.tasks ? undefined : f.tasks === "all" ? taskNames : f.tasks.split(",").map((t) => getTask(t).name);
  const modes = !f.modes ? undefined : f.modes === "ladder" ? [...MODES] : f.modes.split(",").map(parseMode);
  if (!Number.isInteger(f.seeds) || f.seeds < 1) throw new Error(`--seeds must be a whole number ≥ 1, got ${f.seeds}`);
  if (f.quick && f.stepScale !== undefined) throw new Error("--quick is --step-scale 0.1: give one of them");
  const config = defaultConfig({
    ...(tasks ? { tasks } : {}),
    ...(modes ? { modes } : {}),
    seeds: Array.from({ length: f.seeds }, (_, i) => i),
    stepScale: f.stepScale ?? (f.quick ? QUICK_SCALE : 1),
    grid: f.tauGrid ? f.tauGrid.split(",").map(positive).sort((a, b) => a - b) : logGrid(),
    ablation: checkAblation(f.ablation),
    ...(f.fraction !== undefined ? { fraction: f.fraction } : {}),
  });
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
  await mkdir(f.out, { recursive: true });
  const planned = planRuns(config).length;
  const jsonl = join(f.out, "results.jsonl");
  await writeFile(jsonl, "");

  const controller = new AbortController();
  const onSigint = () => {
    controller.abort();
    status.clear();
    console.error("brainwire: stopping; the report will hold the runs that finished");
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
        if (!f.quiet) console.log(runLine(r, planned));
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
  if (!(n > 0 && Number.isFinite(n))) throw new Error(`--tau-grid: "${t}" is not a positive number`);
  return n;
}
