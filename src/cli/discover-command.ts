// `brainwire discover model.json`: finds the model's circuit (ACDC, EAP, EAP→ACDC, neuron-level ACDC),
// prints its scores and writes it as versioned JSON; `--sweep` runs a τ grid and writes the curve.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import cliProgress from "cli-progress";
import { checkAblation } from "../circuits/ablation.ts";
import { serializeCircuit } from "../circuits/circuit-io.ts";
import { checkMethod, discover, type DiscoverOptions } from "../circuits/discover.ts";
import { discoverSweep } from "../circuits/discover-sweep.ts";
import { checkMetricName } from "../circuits/metrics.ts";
import { logGrid } from "../circuits/sweep.ts";
import { createEngine } from "../engine/engine.ts";
import { parseModel } from "../model/io.ts";
import { Mlp } from "../model/mlp.ts";
import { taskNames } from "../tasks/index.ts";
import type { Dataset } from "../tasks/types.ts";
import { drawNetwork } from "../viz/network-svg.ts";
import { resolveTask, type DataFlags } from "./data.ts";
import { seconds, table } from "./format.ts";

export interface DiscoverFlags extends DataFlags {
  out?: string;
  svg?: string;
  method: string;
  tau?: number;
  ablation: string;
  metric?: string;
  outputs?: string;
  topK?: number;
  fraction?: number;
  steps?: number;
  examples?: number;
  seed?: number;
  task?: string;
  sweep?: boolean;
  grid?: string;
  quiet?: boolean;
}

export async function discoverCommand(modelPath: string, f: DiscoverFlags): Promise<void> {
  const snapshot = parseModel(await readFile(modelPath, "utf8"));
  const meta = snapshot.meta ?? {};
  const seed = f.seed ?? (typeof meta.seed === "number" ? meta.seed : 0);
  const taskName = f.task ?? (typeof meta.task === "string" ? meta.task : undefined);
  if (!f.data && (taskName === undefined || !taskNames.includes(taskName))) {
    throw new Error(`${modelPath} does not name a built-in task (${String(taskName)}): pass --task, or --data for user data`);
  }
  const opts: DiscoverOptions = {
    method: checkMethod(f.method),
    ablation: checkAblation(f.ablation),
    metric: f.metric === undefined ? undefined : checkMetricName(f.metric),
    tau: f.tau,
    outputs: f.outputs?.split(",").map((t) => parseIndex(t, "--outputs")),
    topK: f.topK,
    fraction: f.fraction,
    steps: f.steps,
    examples: f.examples,
    seed,
  };
  if (opts.tau !== undefined && !(opts.tau > 0 && Number.isFinite(opts.tau))) {
    throw new Error(`--tau must be a finite number > 0, got ${opts.tau}`);
  }
  const task = await resolveTask(taskName ?? "", seed, f);
  const engine = await createEngine();
  const data = await task.make(engine, seed);
  const model = Mlp.fromSnapshot(engine, snapshot);
  opts.truth = task.groundTruth;
  try {
    if (f.sweep) await sweep(model, data, opts, f);
    else await once(model, data, opts, f, snapshot);
  } finally {
    model.dispose();
  }
}

async function once(model: Mlp, data: Dataset, opts: DiscoverOptions, f: DiscoverFlags,
  snapshot: ReturnType<typeof parseModel>): Promise<void> {
  const bar = f.quiet ? undefined : new cliProgress.SingleBar(
    { format: "  {bar} {value}/{total} receivers | {eta_formatted} left" }, cliProgress.Presets.shades_classic);
  let started = false;
  const d = discover(model, data, {
    ...opts,
    onProgress: (done, total) => {
      if (!started) bar?.start(total, 0);
      started = true;
      bar?.update(done);
    },
  });
  bar?.stop();
  const s = d.circuit.scores;
  const out = f.out ?? "out/circuit.json";
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, serializeCircuit(d.circuit));
  const rows: [string, string][] = [
    ["method", `${d.circuit.settings.method} (${d.circuit.settings.ablation} ablation, metric ${d.metric})`],
    ["τ / top-k", d.circuit.settings.tau !== undefined ? String(d.circuit.settings.tau) : `top ${d.circuit.settings.topK}`],
    ["edges kept", `${s.edges} of ${s.totalEdges} (sparsity ${((s.sparsity ?? 0) * 100).toFixed(2)}%)`],
    ["neurons connected", `${s.neurons} of ${s.totalNeurons}`],
    ["faithfulness", `${s.faithfulnessMetric} ${s.faithfulness?.toExponential(3)} (held out)`],
    ["task score", s.task ? `${s.task.metric}: circuit ${fmt(s.task.circuit)}, full model ${fmt(s.task.full)}` : "-"],
    ["modularity", s.modularity?.toFixed(3) ?? "-"],
    ["discovery", `${seconds(d.ms)}, ${d.evaluations} evaluations`],
  ];
  if (s.groundTruth) {
    rows.push(["ground truth", `precision ${s.groundTruth.precision.toFixed(3)}, recall ${s.groundTruth.recall.toFixed(3)}`]);
  }
  rows.push(["circuit", `${out} (hash ${d.circuitHash})`]);
  if (f.svg) {
    await writeFile(f.svg, drawNetwork(snapshot, { circuit: { kept: d.mask }, ...names(snapshot.meta),
      title: `circuit · ${d.circuit.settings.method} · ${s.edges} edges` }));
    rows.push(["picture", f.svg]);
  }
  console.log(table(rows));
}

async function sweep(model: Mlp, data: Dataset, opts: DiscoverOptions, f: DiscoverFlags): Promise<void> {
  const grid = f.grid ? f.grid.split(",").map((t) => parsePositive(t, "--grid")) : logGrid();
  const { points, area, auc } = await discoverSweep(model, data, opts, grid, {
    onProgress: (done, total) => f.quiet || process.stdout.write(`\r  τ ${done}/${total}`),
  });
  if (!f.quiet) process.stdout.write("\r");
  for (const p of f.quiet ? [] : points) {
    console.log(`  τ ${p.tau!.toExponential(0).padEnd(6)} edges ${String(p.edges).padStart(6)}  ` +
      `faithfulness ${p.faithfulness.toExponential(2)}  ${seconds(p.ms)}`);
  }
  const out = f.out ?? "out/sweep.json";
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify({ format: "brainwire.sweep", version: 1, settings: { ...opts, truth: undefined },
    area, auc, points }, null, 1));
  console.log(table([
    ["area under faithfulness-vs-edges", area.toExponential(3)],
    ...(auc !== undefined ? [["ground-truth ROC AUC", auc.toFixed(3)] as [string, string]] : []),
    ["sweep", out],
  ]));
}

function names(meta: Record<string, unknown> | undefined): { inputNames?: string[]; outputNames?: string[] } {
  const list = (k: string) => (Array.isArray(meta?.[k]) ? (meta![k] as string[]) : undefined);
  return { inputNames: list("inputNames"), outputNames: list("outputNames") };
}

function fmt(v: number): string {
  return Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toFixed(4) : v.toExponential(3);
}

function parseIndex(t: string, flag: string): number {
  const n = Number(t);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: "${t}" is not an output index`);
  return n;
}

function parsePositive(t: string, flag: string): number {
  const n = Number(t);
  if (!(n > 0 && Number.isFinite(n))) throw new Error(`${flag}: "${t}" is not a positive number`);
  return n;
}
