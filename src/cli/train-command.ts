// `brainwire train`: trains a task (or the user's data) in one mode and writes the model and its picture.
// A thin face: flags → resolveTrain → runTraining; files are read and checked here, before any work.
import cliProgress from "cli-progress";
import { writeFile } from "node:fs/promises";
import { resolveTrain, runTraining, UserError, type TrainInput } from "../app/index.ts";
import { serializeModel } from "../model/io.ts";
import type { SettingOverrides } from "../train/settings.ts";
import { drawNetwork } from "../viz/network-svg.ts";
import { dataInput, type DataFlags } from "./data.ts";
import { prepareOutput } from "./files.ts";
import { bytes, metric, seconds, table } from "./format.ts";

export interface TrainFlags extends DataFlags, SettingOverrides {
  task?: string;
  mode?: string;
  seed?: number;
  out: string;
  svg?: string;
  permuteAdam?: boolean;
  memoryBudget?: number;
  quiet?: boolean;
}

/** The flags that are the run's raw input (the rest say where files go and how to print). */
const RUN_FLAGS = ["mode", "seed", "steps", "lr", "lambda", "shape", "batch", "swapEvery", "topK", "weightFactor",
  "l0", "costForm", "permuteAdam"] as const;

export async function trainInput(f: TrainFlags): Promise<TrainInput> {
  const raw: Record<string, unknown> = await dataInput(f, f.task);
  for (const k of RUN_FLAGS) if (f[k] !== undefined) raw[k] = f[k];
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  return raw as TrainInput;
}

export async function trainCommand(f: TrainFlags): Promise<void> {
  const spec = resolveTrain(await trainInput(f), { memoryBudget: mib(f.memoryBudget) });
  const svgPath = f.svg ?? f.out.replace(/\.json$/i, "") + ".svg";
  await prepareOutput(f.out, "--out");
  await prepareOutput(svgPath, "--svg");
  // Ctrl-C stops training (runTraining gives the event loop turns) and the model so far is still written.
  const controller = new AbortController();
  const onSigint = () => {
    if (!f.quiet) process.stderr.write("\nbrainwire: stopping…\n");
    controller.abort();
  };
  process.once("SIGINT", onSigint);
  const log = (s: string) => f.quiet || console.log(s);
  log(`training ${spec.task}, mode ${spec.mode}, seed ${spec.seed}, shape ${spec.settings.model.shape.join("-")}, ` +
    `${spec.settings.steps} steps`);

  const bar = f.quiet || !process.stderr.isTTY ? undefined : new cliProgress.SingleBar(
    { format: "  {bar} {percentage}% | step {value}/{total} | loss {loss} | cost {cost} | test {test} | {eta_formatted} left" },
    cliProgress.Presets.shades_classic,
  );
  bar?.start(spec.settings.steps, 0, { loss: "-", cost: "-", test: "-" });
  let heapPeak = process.memoryUsage().heapUsed;
  let result;
  try {
    result = await runTraining(spec, {
      signal: controller.signal,
      onProgress: (p) => {
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        bar?.update(p.step, {
          loss: p.loss.toExponential(2),
          cost: p.cost.toExponential(2),
          test: p.test === undefined ? "-" : p.test.toPrecision(4),
        });
      },
    });
  } finally {
    bar?.stop();
    process.off("SIGINT", onSigint);
  }

  const snapshot = result.model;
  await writeFile(f.out, serializeModel(snapshot));
  await writeFile(svgPath, drawNetwork(snapshot, {
    inputNames: snapshot.meta?.inputNames as string[] | undefined,
    outputNames: snapshot.meta?.outputNames as string[] | undefined,
    title: `${spec.task} · ${spec.mode} · seed ${spec.seed}`,
  }));

  const m = result.metrics;
  console.log(`\n${result.aborted ? "interrupted" : "done"}: ${spec.task}, mode ${spec.mode}`);
  console.log(table([
    ["test", metric(m.metric, m.test)],
    ["train", metric(m.metric, m.train)],
    ["connection cost", m.cost.toExponential(3)],
    ["mean wire length", m.wireLength.toFixed(4)],
    ["swaps", String(result.swaps)],
    ["steps", `${result.steps} at ${result.stepsPerSecond.toFixed(0)} steps/s`],
    ["wall time", seconds(result.wallMs)],
    ["peak memory", `WASM ${bytes(result.wasmBytes)}, JS heap ${bytes(heapPeak)}`],
    ["model", `${f.out} (hash ${result.weightsHash})`],
    ["picture", svgPath],
  ]));
}

/** --memory-budget is in MiB; the app layer counts bytes. */
export function mib(v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!(v > 0)) throw new UserError("--memory-budget", `must be a number of MiB > 0, got ${v}`);
  return v * 1024 * 1024;
}
