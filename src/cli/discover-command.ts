// `brainwire discover model.json`: finds the model's circuit (ACDC, EAP, EAP-IG, EAP→ACDC, neuron-level
// ACDC), prints its scores and writes it as versioned JSON; `--sweep` also runs a τ grid, prints its
// table and writes the curve. A thin face: flags → resolveDiscover → runDiscovery.
import cliProgress from "cli-progress";
import { writeFile } from "node:fs/promises";
import { asUserError, resolveDiscover, runDiscovery, UserError, type DiscoverInput, type DiscoverResult,
  type DiscoverSpec } from "../app/index.ts";
import { circuitMask, serializeCircuit } from "../circuits/circuit-io.ts";
import { serializeTxCircuit } from "../circuits/transformer/circuit-file.ts";
import { parseAnyModel, type AnyModelSnapshot } from "../model/model-file.ts";
import { drawNetwork } from "../viz/network-svg.ts";
import { dataInput, type DataFlags } from "./data.ts";
import { inFile } from "./errors.ts";
import { prepareOutput, readText } from "./files.ts";
import { seconds, table } from "./format.ts";
import { mib } from "./train-command.ts";

export interface DiscoverFlags extends DataFlags {
  out?: string;
  svg?: string;
  method?: string;
  tau?: number;
  ablation?: string;
  metric?: string;
  outputs?: string;
  topK?: number;
  fraction?: number;
  igSteps?: number;
  examples?: number;
  seed?: number;
  task?: string;
  clean?: string;
  corrupt?: string;
  positions?: string;
  granularity?: string;
  sweep?: boolean;
  grid?: string;
  memoryBudget?: number;
  quiet?: boolean;
}

const RUN_FLAGS = ["method", "tau", "ablation", "metric", "outputs", "topK", "fraction", "igSteps", "examples",
  "seed", "positions", "granularity"] as const;

/** The model file as the run's raw input (its contents), with the flags. */
export async function discoverInput(modelPath: string, f: DiscoverFlags): Promise<DiscoverInput> {
  const text = await readText(modelPath, modelPath);
  let model: AnyModelSnapshot;
  try {
    model = parseAnyModel(text);
  } catch (err) {
    throw inFile(asUserError(err, "model"), modelPath);
  }
  const raw: Record<string, unknown> = { model, ...(await dataInput(f, f.task)) };
  for (const k of RUN_FLAGS) if (f[k] !== undefined) raw[k] = f[k];
  if (f.clean !== undefined || f.corrupt !== undefined) {
    if (f.clean === undefined || f.corrupt === undefined) throw new UserError("--clean/--corrupt", "give both files");
    raw.pairs = { clean: await readText(f.clean, "--clean"), corrupted: await readText(f.corrupt, "--corrupt") };
  }
  if (f.grid !== undefined && !f.sweep) throw new UserError("--grid", "applies to --sweep only");
  if (f.sweep) raw.sweep = f.grid ?? true;
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  return raw as DiscoverInput;
}

export async function discoverCommand(modelPath: string, f: DiscoverFlags): Promise<void> {
  let spec: DiscoverSpec;
  try {
    spec = resolveDiscover(await discoverInput(modelPath, f), { memoryBudget: mib(f.memoryBudget) });
  } catch (err) {
    throw inFile(err, modelPath);
  }
  const out = f.out ?? (spec.sweep ? "out/sweep.json" : "out/circuit.json");
  await prepareOutput(out, "--out");
  if (f.svg && spec.family === "transformer") throw new UserError("--svg", "draws MLP circuits; for a transformer use draw --circuit");
  if (f.svg) await prepareOutput(f.svg, "--svg");
  const tty = !f.quiet && process.stderr.isTTY;
  const bar = tty ? new cliProgress.SingleBar({ format: "  {bar} {value}/{total} {what} | {eta_formatted} left" },
    cliProgress.Presets.shades_classic) : undefined;
  let phase = "";
  const d = await runDiscovery(spec, {
    onProgress: (p) => {
      // The circuit's receivers first, then (with --sweep) the τ points.
      const what = phase === "" || (phase === "receivers" && p.done < p.total) ? "receivers" : "τ points";
      if (what !== phase) {
        bar?.stop();
        bar?.start(p.total, 0, { what });
        phase = what;
      }
      bar?.update(p.done, { what });
    },
  });
  bar?.stop();
  console.log(table(summary(d, spec, spec.sweep ? undefined : out)));
  if (spec.sweep) await writeSweep(d, spec, out);
  else await writeFile(out, d.family === "transformer" ? serializeTxCircuit(d.circuit) : serializeCircuit(d.circuit));
  if (f.svg && d.family === "mlp" && spec.family === "mlp") {
    const s = d.circuit.scores;
    await writeFile(f.svg, drawNetwork(spec.model, { circuit: { kept: circuitMask(d.circuit, spec.model.spec) },
      ...names(spec.model.meta), title: `circuit · ${d.circuit.settings.method} · ${s.edges} edges` }));
    console.log(table([["picture", f.svg]]));
  }
}

function summary(d: DiscoverResult, spec: DiscoverSpec, out: string | undefined): [string, string][] {
  if (d.family === "transformer") return txSummary(d, spec, out);
  const s = d.circuit.scores;
  const where = d.heldOut ? "held out" : spec.pairs ? "on the given pairs" : "on the training data: no held-out split";
  const settings = d.circuit.settings;
  const rows: [string, string][] = [
    ["method", `${settings.method} (${settings.ablation} ablation, metric ${d.metric})`],
    ["τ / top-k", settings.tau !== undefined ? String(settings.tau) : `top ${settings.topK}`],
    ["edges kept", `${s.edges} of ${s.totalEdges} (sparsity ${((s.sparsity ?? 0) * 100).toFixed(2)}%)`],
    ["neurons connected", `${s.neurons} of ${s.totalNeurons}`],
    ["faithfulness", `${s.faithfulnessMetric} ${s.faithfulness?.toExponential(3)} (${where})`],
    ["task score", s.task ? `${s.task.metric}: circuit ${fmt(s.task.circuit)}, full model ${fmt(s.task.full)}` : "-"],
    ["modularity", s.modularity?.toFixed(3) ?? "-"],
    ["discovery", `${seconds(d.ms)}, ${d.evaluations} evaluations`],
  ];
  if (s.groundTruth) {
    const p = s.groundTruth.precision; // null: the circuit connects no input, so it claims nothing
    rows.push(["ground truth", `precision ${p === null ? "-" : p.toFixed(3)}, recall ${s.groundTruth.recall.toFixed(3)}`]);
  }
  if (out) rows.push(["circuit", `${out} (hash ${d.circuitHash})`]);
  return rows;
}

function txSummary(d: DiscoverResult & { family: "transformer" }, spec: DiscoverSpec, out: string | undefined):
  [string, string][] {
  const s = d.circuit.scores;
  const where = d.heldOut ? "held out" : spec.pairs ? "on the given sequences" : "on the training data: no held-out split";
  const settings = d.circuit.settings;
  const rows: [string, string][] = [
    ["method", `${settings.method} (${settings.ablation} ablation, metric ${d.metric}, ${settings.granularity} edges)`],
    ["τ / top-k", settings.tau !== undefined ? String(settings.tau) : `top ${settings.topK}`],
    ["edges kept", `${s.edges} of ${s.totalEdges} (sparsity ${((s.sparsity ?? 0) * 100).toFixed(2)}%)`],
    ["heads and MLPs connected", `${s.nodes} of ${s.totalNodes}${s.heads?.length ? ` (heads ${s.heads.join(", ")})` : ""}`],
    ["faithfulness", `${s.faithfulnessMetric} ${s.faithfulness?.toExponential(3)} (${where})`],
    ["task score", s.task ? `${s.task.metric}: circuit ${fmt(s.task.circuit)}, full model ${fmt(s.task.full)}` : "-"],
    ["modularity", s.modularity?.toFixed(3) ?? "-"],
    ["discovery", `${seconds(d.ms)}, ${d.evaluations} evaluations, ${d.nearTies} near-ties`],
  ];
  const gt = s.groundTruth;
  if (gt) {
    rows.push(["ground truth (heads)", `precision ${gt.precision === null ? "-" : gt.precision.toFixed(3)}, recall ` +
      `${gt.recall.toFixed(3)} against ${gt.truth.join(", ") || "none"}`]);
    rows.push(["K-composition edge", gt.kComposition ? "kept" : "not kept"]);
    rows.push(["induction head → resid_post", gt.inductionToOutput ? "kept" : "not kept"]);
  }
  if (out) rows.push(["circuit", `${out} (hash ${d.circuitHash})`]);
  return rows;
}

/** The τ table, then the sweep file: the curve, and the settings it was run with. */
async function writeSweep(d: DiscoverResult, spec: DiscoverSpec, out: string): Promise<void> {
  const sweep = d.sweep!;
  const { points, area } = sweep;
  const auc = "auc" in sweep ? sweep.auc : undefined;
  console.log("\n  τ        edges   faithfulness   time");
  for (const p of points) {
    console.log(`  ${p.tau!.toExponential(0).padEnd(6)} ${String(p.edges).padStart(7)}   ` +
      `${p.faithfulness.toExponential(2).padStart(12)}   ${seconds(p.ms)}`);
  }
  const { model, pairs, sweep: grid, ...settings } = spec;
  if ("data" in settings) delete settings.data;
  await writeFile(out, JSON.stringify({ format: "brainwire.sweep", version: 1, modelHash: d.circuit.modelHash,
    settings: { ...settings, grid }, area, auc, points }, null, 1));
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
