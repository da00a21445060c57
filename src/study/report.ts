// The study's outputs as strings (the CLI writes them; nothing here touches files): the study document
// (JSON: every raw record with config and environment, and the tables and verdicts made from them),
// Markdown for the terminal, and CSV with one row per run.
import { ANSWER_CLAIMS, answerLegend, answerTable, answerText, CLAIM_LABELS, type AnswerTable } from "./answer.ts";
import { formatCell, methodTables, taskTables, type MethodTable, type TaskTable } from "./summary.ts";
import { STUDY_FORMAT, STUDY_METHODS, STUDY_VERSION, type Environment, type RunRecord, type StudyConfig } from "./types.ts";
import { verdict } from "./verdict.ts";

export const OURS = "The protocol and all settings are ours (docs/study.md), built from the BIMT and ACDC " +
  "originals: Nainani 2024 (arXiv 2401.03646) published only its abstract, and no number here is that paper's.";

export interface StudyDocument {
  format: typeof STUDY_FORMAT;
  version: typeof STUDY_VERSION;
  note: string;
  config: StudyConfig;
  environment: Environment;
  /** Runs planned and whether the study stopped early (then `runs` holds the finished ones). */
  planned: number;
  aborted: boolean;
  runs: RunRecord[];
  /** The answer the report opens with: task × claim, BIMT against the best baseline. */
  answer: AnswerTable;
  tables: TaskTable[];
  methods: MethodTable[];
  verdicts: { task: string; text: string }[];
}

export function studyDocument(config: StudyConfig, environment: Environment, runs: RunRecord[], planned: number,
  aborted: boolean): StudyDocument {
  const tables = taskTables(runs);
  return {
    format: STUDY_FORMAT,
    version: STUDY_VERSION,
    note: OURS,
    config,
    environment,
    planned,
    aborted,
    runs,
    answer: answerTable(tables),
    tables,
    methods: methodTables(tables, runs),
    verdicts: tables.map((t) => ({ task: t.task, text: verdict(t) })),
  };
}

/** How the runs were made, in one line: scale, seeds, ablation, grid. */
export function settingsLine(d: StudyDocument): string {
  const c = d.config;
  const scale = c.stepScale === 1 ? "reference settings" : `every schedule step × ${c.stepScale}`;
  const tau = (t: number) => t.toExponential();
  const grid = c.grid.length > 1 ? `${tau(c.grid[0])} … ${tau(c.grid[c.grid.length - 1])} (${c.grid.length} values)` :
    tau(c.grid[0]);
  return `${d.runs.length} of ${d.planned} runs${d.aborted ? " (interrupted)" : ""} · seeds ${c.seeds.join(", ")} · ` +
    `${scale} · ${c.ablation} ablation · τ grid ${grid} · EAP→ACDC fraction ${c.fraction}`;
}

export function environmentLine(e: Environment): string {
  return [`brainwire ${e.brainwire} (wasm ${e.wasm})`, e.runtime, e.platform, e.cpu && `${e.cpu}${e.cores ? ` × ${e.cores}` : ""}`]
    .filter(Boolean).join(" · ");
}

export function toMarkdown(d: StudyDocument): string {
  const out = ["# brainwire study", ""];
  if (d.answer.rows.length > 0) {
    out.push("## The answer", "", answerMarkdown(d.answer), "", answerLegend(d.answer), "");
  }
  out.push(OURS, "", settingsLine(d), "", environmentLine(d.environment), "");
  d.tables.forEach((t, i) => {
    const tau = d.runs.find((r) => r.task === t.task)?.discovery.tau;
    out.push(`## ${t.task}`, "");
    for (const group of ["model", "circuit"] as const) {
      const cols = t.columns.filter((c) => c.group === group);
      out.push(group === "model" ? "Trained model (mean ± std over seeds; best in bold):" :
        `ACDC circuit at the default τ = ${tau} (${d.config.ablation} ablation, held-out scores):`, "");
      out.push(mdTable(["mode", ...cols.map((c) => `${c.label} ${c.better === "higher" ? "↑" : "↓"}`)],
        t.rows.map((r) => [r.key, ...cols.map((c) => bold(formatCell(r.cells[c.key], c.format),
          t.best[c.key]?.includes(r.key)))])));
      out.push("");
    }
    const m = d.methods[i];
    out.push("Discovery methods at the default τ (EAP keeps as many edges as ACDC):", "");
    out.push(mdTable(["mode", "method", ...m.columns.map((c) => c.label)],
      m.rows.map((r) => [r.key.mode, r.key.method, ...m.columns.map((c) => formatCell(r.cells[c.key], c.format))])));
    out.push("", `**Verdict.** ${d.verdicts[i].text}`, "");
  });
  if (d.tables.length === 0) out.push("No run finished.", "");
  return out.join("\n");
}

/** Tasks as rows, claims as columns, each cell its mark and the numbers behind it. */
export function answerMarkdown(a: AnswerTable): string {
  return mdTable(["task", "seeds", ...ANSWER_CLAIMS.map((c) => CLAIM_LABELS[c])],
    a.rows.map((r) => [r.task, String(r.seeds), ...r.cells.map((c) => c.mark === "none" ? (r.note ?? "–") :
      answerText(c, (w) => `**${w}**`))]));
}

function bold(s: string, on: boolean | undefined): string {
  return on ? `**${s}**` : s;
}

function mdTable(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** One row per run: its settings summary and every scalar the run measured. */
export function toCsv(runs: RunRecord[]): string {
  const cols: [string, (r: RunRecord) => unknown][] = [
    ["run", (r) => r.run], ["task", (r) => r.task], ["family", (r) => r.family ?? "mlp"], ["mode", (r) => r.mode],
    ["seed", (r) => r.seed],
    ["step_scale", (r) => r.stepScale], ["steps", (r) => r.train.steps], ["test_metric", (r) => r.train.metric],
    ["test", (r) => r.train.test], ["train", (r) => r.train.train], ["cost", (r) => r.train.cost],
    ["wire_length", (r) => r.train.wireLength], ["swaps", (r) => r.train.swaps], ["train_ms", (r) => r.train.wallMs],
    ["steps_per_s", (r) => r.train.stepsPerSecond], ["wasm_bytes", (r) => r.train.wasmBytes],
    ["wasm_peak_in_use", (r) => r.train.wasmPeakInUse], ["js_heap_peak", (r) => r.train.jsHeapPeak],
    ["model_hash", (r) => r.train.modelHash], ["ablation", (r) => r.discovery.ablation], ["tau", (r) => r.discovery.tau],
  ];
  for (const m of STUDY_METHODS) {
    const at = (r: RunRecord) => r.methods[m].atDefault;
    const p = m.replace("-", "_");
    cols.push(
      [`${p}_edges`, (r) => at(r).edges], [`${p}_total_edges`, (r) => at(r).totalEdges],
      [`${p}_sparsity`, (r) => at(r).sparsity], [`${p}_neurons`, (r) => at(r).neurons], [`${p}_nodes`, (r) => at(r).nodes],
      [`${p}_faithfulness`, (r) => at(r).faithfulness], [`${p}_task_circuit`, (r) => at(r).task.circuit],
      [`${p}_task_full`, (r) => at(r).task.full], [`${p}_modularity`, (r) => at(r).modularity],
      [`${p}_ms`, (r) => at(r).ms], [`${p}_evaluations`, (r) => at(r).evaluations],
      [`${p}_precision`, (r) => at(r).groundTruth?.precision], [`${p}_recall`, (r) => at(r).groundTruth?.recall],
      [`${p}_k_composition`, (r) => at(r).groundTruth?.kComposition],
      [`${p}_area`, (r) => r.methods[m].sweep.area], [`${p}_auc`, (r) => r.methods[m].sweep.auc],
      [`${p}_circuit_hash`, (r) => at(r).circuitHash],
    );
  }
  cols.push(["dense_samples_per_s", (r) => r.inference.denseSamplesPerSecond],
    ["circuit_samples_per_s", (r) => r.inference.circuitSamplesPerSecond],
    ["circuit_sparse_edges", (r) => r.inference.circuitEdges]);
  const field = (v: unknown) => {
    const s = v === undefined || v === null ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.map(([h]) => h).join(","), ...runs.map((r) => cols.map(([, get]) => field(get(r))).join(","))]
    .join("\n") + "\n";
}
