// The page: controls, the live network picture and the circuit. Training and discovery run in a worker
// (worker.ts) whose bundled source the build inlines as __WORKER_SOURCE__; it starts from a Blob URL, so
// the page works served over HTTP and opened as a file alike. This thread only draws (drawNetwork is a
// pure function of the snapshot) and never loads the engine.
import {
  DEFAULT_TAU,
  drawCurves,
  drawNetwork,
  FAST_TASKS,
  getTask,
  METHODS,
  MODES,
  serializeModel,
  type ModelSnapshot,
} from "../src/index.ts";
import type { Discovered, FromWorker, ToWorker } from "./protocol.ts";

declare const __WORKER_SOURCE__: string;

/** Steps offered by default: the task's reference count, capped where a step is slow (embedding tasks). */
const PAGE_STEPS: Record<string, number> = { "modular-addition": 1000, "permutation-s4": 3000 };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  task: $<HTMLSelectElement>("task"),
  mode: $<HTMLSelectElement>("mode"),
  seed: $<HTMLInputElement>("seed"),
  steps: $<HTMLInputElement>("steps"),
  train: $<HTMLButtonElement>("train"),
  stop: $<HTMLButtonElement>("stop"),
  progress: $<HTMLProgressElement>("progress"),
  status: $("status"),
  metrics: $("metrics"),
  method: $<HTMLSelectElement>("method"),
  tau: $<HTMLInputElement>("tau"),
  ablation: $<HTMLSelectElement>("ablation"),
  discover: $<HTMLButtonElement>("discover"),
  scores: $("scores"),
  weightsHash: $<HTMLOutputElement>("weights-hash"),
  circuitHash: $<HTMLOutputElement>("circuit-hash"),
  network: $("network"),
  curves: $("curves"),
  error: $("error"),
  downloadModel: $<HTMLAnchorElement>("download-model"),
  downloadCircuit: $<HTMLAnchorElement>("download-circuit"),
  downloadSvg: $<HTMLAnchorElement>("download-svg"),
};

const worker = new Worker(URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: "text/javascript" })));
const send = (m: ToWorker) => worker.postMessage(m);

let picture: { snapshot: ModelSnapshot; title: string; names: Names; kept?: Uint8Array[] } | undefined;
let drawPending = false;
/** Loss and connection cost by step, for the chart under the network. */
let curve: { loss: [number, number][]; cost: [number, number][] } = { loss: [], cost: [] };
let names: Names = {};
interface Names {
  inputNames?: string[];
  outputNames?: string[];
}

for (const t of FAST_TASKS) ui.task.add(new Option(t, t));
for (const m of MODES) ui.mode.add(new Option(m, m, m === "bimt", m === "bimt"));
for (const m of METHODS) ui.method.add(new Option(m, m, m === "acdc", m === "acdc"));
ui.task.value = "two-moons";
onTaskChange();
ui.task.addEventListener("change", onTaskChange);

function onTaskChange(): void {
  const task = getTask(ui.task.value);
  ui.steps.value = String(PAGE_STEPS[task.name] ?? task.settings.steps);
  const kind = task.settings.loss === "mse" ? "regression" : "classification";
  ui.tau.value = String(DEFAULT_TAU[kind]);
}

ui.train.addEventListener("click", () => {
  const seed = Number(ui.seed.value);
  const steps = Number(ui.steps.value);
  if (!Number.isInteger(seed) || seed < 0) {
    return showError(`seed must be a whole number ≥ 0, got "${ui.seed.value}"`);
  }
  if (!Number.isInteger(steps) || steps < 1) {
    return showError(`steps must be a whole number ≥ 1, got "${ui.steps.value}"`);
  }
  showError("");
  setBusy(true);
  ui.discover.disabled = true;
  ui.weightsHash.value = ui.circuitHash.value = "–";
  ui.scores.replaceChildren();
  ui.metrics.replaceChildren();
  ui.network.dataset.state = "training";
  ui.network.dataset.frames = "0";
  curve = { loss: [], cost: [] };
  for (const a of [ui.downloadModel, ui.downloadCircuit, ui.downloadSvg]) offer(a, undefined);
  send({ type: "train", task: ui.task.value, mode: ui.mode.value, seed, steps });
});

ui.stop.addEventListener("click", () => send({ type: "stop" }));

ui.discover.addEventListener("click", () => {
  const tau = Number(ui.tau.value);
  if (!(tau > 0)) return showError(`τ must be a number > 0, got "${ui.tau.value}"`);
  showError("");
  setBusy(true);
  ui.stop.disabled = true; // discovery runs to the end
  ui.discover.disabled = true;
  ui.status.textContent = "discovering the circuit…";
  send({ type: "discover", method: ui.method.value, tau, ablation: ui.ablation.value });
});

worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  const m = ev.data;
  switch (m.type) {
    case "progress":
      names = { inputNames: m.inputNames, outputNames: m.outputNames };
      ui.progress.value = m.step / m.steps;
      ui.status.textContent = `step ${m.step} / ${m.steps} · loss ${m.loss.toExponential(2)} · ` +
        `cost ${m.cost.toExponential(2)} · swaps ${m.swaps}`;
      curve.loss.push([m.step, m.loss]);
      curve.cost.push([m.step, m.cost]);
      show(m.snapshot, `${ui.task.value} · ${ui.mode.value} · step ${m.step}`);
      break;
    case "discovering":
      ui.status.textContent = `discovering the circuit: receiver ${m.done} of ${m.total}…`;
      ui.progress.value = m.done / m.total;
      break;
    case "trained": {
      setBusy(false);
      ui.discover.disabled = false;
      ui.progress.value = m.steps / Math.max(1, Number(ui.steps.value));
      ui.status.textContent = `${m.stopped ? "stopped" : "trained"}: ${m.steps} steps, ${m.swaps} swaps in ` +
        `${(m.ms / 1000).toFixed(1)} s`;
      const { metric, test, train, cost, wireLength } = m.metrics;
      fill(ui.metrics, [
        [`test ${metric}`, format(test)],
        [`train ${metric}`, format(train)],
        ["connection cost", cost.toExponential(3)],
        ["mean wire length", wireLength.toFixed(4)],
      ]);
      ui.weightsHash.value = m.weightsHash;
      offer(ui.downloadModel, serializeModel(m.snapshot), "application/json",
        `${ui.task.value}-${ui.mode.value}-seed${ui.seed.value}.json`);
      ui.network.dataset.state = "trained";
      show(m.snapshot, `${ui.task.value} · ${ui.mode.value} · seed ${ui.seed.value} · ${m.steps} steps`);
      break;
    }
    case "circuit":
      setBusy(false);
      ui.discover.disabled = false;
      ui.status.textContent = `circuit: ${m.scores.edges} of ${m.scores.totalEdges} edges`;
      ui.progress.value = 1;
      fill(ui.scores, scoreRows(m));
      ui.circuitHash.value = m.circuitHash;
      offer(ui.downloadCircuit, m.file, "application/json", `${ui.task.value}-${ui.mode.value}-circuit.json`);
      if (picture) {
        picture.kept = m.kept;
        picture.title = picture.title.replace(/ · (circuit|\w+(-\w+)?) τ=.*$/, "") +
          ` · ${ui.method.value} τ=${ui.tau.value}`;
        redraw();
      }
      ui.network.dataset.state = "circuit";
      ui.network.dataset.edges = String(m.scores.edges);
      ui.network.dataset.totalEdges = String(m.scores.totalEdges);
      break;
    case "error":
      setBusy(false);
      ui.discover.disabled = !picture || ui.network.dataset.state === "training";
      showError(m.message);
      break;
  }
};
worker.onerror = (ev) => showError(`worker failed: ${ev.message}`);

function show(snapshot: ModelSnapshot, title: string): void {
  picture = { snapshot, title, names };
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    redraw();
  });
}

function redraw(): void {
  if (!picture) return;
  ui.network.dataset.frames = String(Number(ui.network.dataset.frames ?? 0) + 1);
  const { snapshot, title, names: n, kept } = picture;
  ui.network.innerHTML = drawNetwork(snapshot, {
    title,
    inputNames: n.inputNames,
    outputNames: n.outputNames,
    circuit: kept ? { kept } : undefined,
    width: 760,
  });
  if (ui.network.dataset.state !== "training") {
    offer(ui.downloadSvg, ui.network.innerHTML, "image/svg+xml", "network.svg");
  }
  if (curve.loss.length > 1) {
    const series = [{ name: "loss", points: curve.loss }, { name: "connection cost", points: curve.cost }];
    ui.curves.innerHTML = drawCurves(series,
      { title: "training", xLabel: "step", yLabel: "value (log)", logY: true, width: 760, height: 220 });
  }
}

function scoreRows(m: Discovered): [string, string][] {
  const s = m.scores;
  const rows: [string, string][] = [];
  if (s.edges !== undefined && s.totalEdges !== undefined) {
    rows.push(["edges kept", `${s.edges} of ${s.totalEdges} (${((100 * s.edges) / s.totalEdges).toFixed(1)} %)`]);
  }
  if (m.metricValue !== undefined) rows.push([`${m.metric} (train)`, format(m.metricValue)]);
  if (s.faithfulness !== undefined) rows.push([`${s.faithfulnessMetric} (held out)`, format(s.faithfulness)]);
  if (s.task) rows.push([`circuit ${s.task.metric}`, `${format(s.task.circuit)} (full ${format(s.task.full)})`]);
  if (s.neurons !== undefined) rows.push(["neurons", `${s.neurons} of ${s.totalNeurons}`]);
  if (s.modularity !== undefined) rows.push(["modularity Q", format(s.modularity)]);
  if (s.groundTruth) {
    rows.push(["true inputs", `precision ${format(s.groundTruth.precision)}, recall ${format(s.groundTruth.recall)}`]);
  }
  if (s.evaluations) rows.push(["edge tests", String(s.evaluations)]);
  if (s.timeMs !== undefined) rows.push(["time", `${s.timeMs.toFixed(0)} ms`]);
  return rows;
}

function fill(dl: HTMLElement, rows: [string, string][]): void {
  dl.replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = k;
    dd.textContent = v;
    return [dt, dd];
  }));
}

function format(v: number): string {
  return Number.isFinite(v) ? (Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(4) : v.toExponential(3)) : "n/a";
}

function setBusy(busy: boolean): void {
  ui.train.disabled = busy;
  ui.stop.disabled = !busy;
  ui.task.disabled = ui.mode.disabled = busy;
}

/** Points a download link at `text` (hides it for undefined), releasing the previous Blob URL. */
function offer(a: HTMLAnchorElement, text: string | undefined, type = "", name = ""): void {
  if (a.href) URL.revokeObjectURL(a.href);
  a.removeAttribute("href");
  a.hidden = text === undefined;
  if (text === undefined) return;
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
}

function showError(message: string): void {
  ui.error.textContent = message;
}
