// `brainwire train`: trains a task (or the user's data) in one mode and writes the model and its picture.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import cliProgress from "cli-progress";
import { createEngine } from "../engine/engine.ts";
import { serializeModel } from "../model/io.ts";
import { parseMode } from "../train/modes.ts";
import { withOverrides, type SettingOverrides } from "../train/settings.ts";
import { trainAsync } from "../train/trainer.ts";
import { drawNetwork } from "../viz/network-svg.ts";
import { resolveTask, type DataFlags } from "./data.ts";
import { bytes, metric, seconds, table } from "./format.ts";

export interface TrainFlags extends SettingOverrides, DataFlags {
  task: string;
  mode: string;
  seed: number;
  out: string;
  svg?: string;
  permuteAdam?: boolean;
  quiet?: boolean;
}

export async function trainCommand(f: TrainFlags): Promise<void> {
  if (!Number.isInteger(f.seed)) throw new Error(`--seed must be a whole number, got ${f.seed}`);
  const mode = parseMode(f.mode);
  const task = await resolveTask(f.task, f.seed, f);
  const settings = withOverrides(task.settings, f);
  const engine = await createEngine();
  const data = await task.make(engine, f.seed);
  // Ctrl-C stops training (trainAsync gives the event loop turns) and the model so far is still written.
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  const log = (s: string) => f.quiet || console.log(s);
  log(`training ${task.name} (${data.train.n} train / ${data.test.n} test), mode ${mode}, seed ${f.seed}, ` +
    `shape ${settings.model.shape.join("-")}, ${settings.steps} steps`);

  const bar = f.quiet ? undefined : new cliProgress.SingleBar(
    { format: "  {bar} {percentage}% | step {value}/{total} | loss {loss} | cost {cost} | test {test} | {eta_formatted} left" },
    cliProgress.Presets.shades_classic,
  );
  bar?.start(settings.steps, 0, { loss: "-", cost: "-", test: "-" });
  let heapPeak = process.memoryUsage().heapUsed;
  const result = await trainAsync(engine, data, {
    mode,
    seed: f.seed,
    settings,
    permuteAdamState: f.permuteAdam,
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
  bar?.stop();
  process.off("SIGINT", onSigint);

  const meta = {
    task: task.name,
    mode,
    seed: f.seed,
    settings,
    steps: result.steps,
    aborted: result.aborted,
    metrics: result.metrics,
    inputNames: data.inputNames,
    outputNames: data.outputNames,
    trainedWith: "brainwire",
  };
  const snapshot = result.model.toSnapshot(meta);
  await mkdir(dirname(f.out), { recursive: true });
  await writeFile(f.out, serializeModel(snapshot));
  const svgPath = f.svg ?? f.out.replace(/\.json$/i, "") + ".svg";
  await writeFile(svgPath, drawNetwork(snapshot, {
    inputNames: data.inputNames,
    outputNames: data.outputNames,
    title: `${task.name} · ${mode} · seed ${f.seed}`,
  }));

  const m = result.metrics;
  console.log(`\n${result.aborted ? "interrupted" : "done"}: ${task.name}, mode ${mode}`);
  console.log(table([
    ["test", metric(m.metric, m.test)],
    ["train", metric(m.metric, m.train)],
    ["connection cost", m.cost.toExponential(3)],
    ["mean wire length", m.wireLength.toFixed(4)],
    ["swaps", String(result.swaps)],
    ["steps", `${result.steps} at ${result.stepsPerSecond.toFixed(0)} steps/s`],
    ["wall time", seconds(result.wallMs)],
    ["peak memory", `WASM ${bytes(result.peakWasmBytes)}, JS heap ${bytes(heapPeak)}`],
    ["model", f.out],
    ["picture", svgPath],
  ]));
  result.model.dispose();
}
