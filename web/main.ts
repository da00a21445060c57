// The page: controls, the live network picture and the circuit. Training and discovery run in a worker
// (worker.ts) whose bundled source the build inlines as __WORKER_SOURCE__; it starts from a Blob URL, so
// the page works served over HTTP and opened as a file alike. Pictures are painted on canvases by a second
// worker (draw-worker.ts, inlined as __DRAW_WORKER_SOURCE__; here where a browser lacks OffscreenCanvas),
// from the same picture tree a download writes as SVG, at a bounded rate: one picture in flight, at most
// one per DRAW_MIN_MS, the painter busy at most DRAW_SHARE of the time. This thread never loads the engine
// and never draws thousands of lines, so it answers input at once while a large network trains.
import { DEFAULT_TAU, FAST_TASKS, getTask, METHODS, MODES, type ModelSnapshot,
  type TrainSettings } from "../src/index.ts";
import { renderPicture, type Painted, type PictureRequest } from "./picture.ts";
import type { ToDrawWorker } from "./draw-worker.ts";
import type { Discovered, FromWorker, ToWorker } from "./protocol.ts";

declare const __WORKER_SOURCE__: string;
declare const __DRAW_WORKER_SOURCE__: string;

/**
 * Steps offered by default: the task's reference count, except modular-addition, whose step is the
 * slowest (2,784 examples × 59 classes): at 4,000 steps its test accuracy is already 100 % (seed 0,
 * bimt), as at the reference 20,000. The steps note says what a shorter run skips.
 */
const PAGE_STEPS: Record<string, number> = { "modular-addition": 4000 };
/** Least time between two pictures while training. */
const DRAW_MIN_MS = 100;
/** Points kept per curve: beyond this every other point is dropped (the chart is ~700 px wide). */
const CURVE_POINTS = 800;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  task: $<HTMLSelectElement>("task"),
  mode: $<HTMLSelectElement>("mode"),
  seed: $<HTMLInputElement>("seed"),
  steps: $<HTMLInputElement>("steps"),
  stepsNote: $("steps-note"),
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
  network: $<HTMLCanvasElement>("network"),
  curves: $<HTMLCanvasElement>("curves"),
  error: $("error"),
  downloadModel: $<HTMLAnchorElement>("download-model"),
  downloadCircuit: $<HTMLAnchorElement>("download-circuit"),
  downloadSvg: $<HTMLAnchorElement>("download-svg"),
};

const startWorker = (source: string) => new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
const worker = startWorker(__WORKER_SOURCE__);
const send = (m: ToWorker) => worker.postMessage(m);
const painter = startPainter();

let picture: { snapshot: ModelSnapshot; title: string; names: Names; kept?: Uint8Array[] } | undefined;
/**
 * Drawing schedule: a picture newer than the one on screen is waiting (`dirty`); pictures sent to the
 * painter and not yet painted; a timer waiting for the next allowed turn; when the last turn began and
 * how long its pictures took to paint.
 */
let dirty = false;
let inFlight = 0;
let drawTimer: ReturnType<typeof setTimeout> | undefined;
let lastDraw = { at: -Infinity, ms: 0 };
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
ui.steps.addEventListener("input", () => (ui.stepsNote.textContent = stepsNote(getTask(ui.task.value).settings,
  Number(ui.steps.value))));
// A new width redraws the picture to fit (labels keep their size instead of shrinking with the SVG).
let observedWidth = 0;
new ResizeObserver(() => {
  if (pictureWidth() === observedWidth) return; // a taller picture is not a new width
  observedWidth = pictureWidth();
  if (picture) requestDraw(true);
}).observe(ui.network);

function onTaskChange(): void {
  const task = getTask(ui.task.value);
  ui.steps.value = String(PAGE_STEPS[task.name] ?? task.settings.steps);
  ui.stepsNote.textContent = stepsNote(task.settings, Number(ui.steps.value));
  const kind = task.settings.loss === "mse" ? "regression" : "classification";
  ui.tau.value = String(DEFAULT_TAU[kind]);
}

/** Empty at the reference step count; otherwise what a shorter run leaves out. */
function stepsNote(reference: TrainSettings, steps: number): string {
  if (!Number.isInteger(steps) || steps >= reference.steps) return "";
  const skipped = reference.lambda.filter((p) => p.from >= steps).map((p) => p.from.toLocaleString("en"));
  return `Fewer than the reference ${reference.steps.toLocaleString("en")} steps: the model may be under-trained` +
    (skipped.length > 0 ? ` (the λ phases from step ${skipped.join(", ")} never run).` : ".");
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
  ui.curves.hidden = true;
  for (const a of [ui.downloadModel, ui.downloadCircuit, ui.downloadSvg]) offer(a, undefined);
  send({ type: "train", task: ui.task.value, mode: ui.mode.value, seed, steps });
});

ui.stop.addEventListener("click", () => {
  send({ type: "stop" });
  ui.stop.disabled = true;
  ui.status.textContent = "stopping…";
});

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
      if (ui.stop.disabled) break; // stopping: the last slice's messages are stale
      names = { inputNames: m.inputNames, outputNames: m.outputNames };
      ui.progress.value = m.step / m.steps;
      ui.status.textContent = `step ${m.step} / ${m.steps} · loss ${m.loss.toExponential(2)} · ` +
        `cost ${m.cost.toExponential(2)} · swaps ${m.swaps}`;
      addPoint(curve.loss, [m.step, m.loss]);
      addPoint(curve.cost, [m.step, m.cost]);
      if (m.snapshot) show(m.snapshot, `${ui.task.value} · ${ui.mode.value} · step ${m.step}`);
      break;
    case "model-file":
      offer(ui.downloadModel, m.text, "application/json", `${ui.task.value}-${ui.mode.value}-seed${ui.seed.value}.json`);
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
      const reference = getTask(ui.task.value).settings.steps;
      fill(ui.metrics, [
        [`test ${metric}`, format(test)],
        [`train ${metric}`, format(train)],
        ["connection cost", cost.toExponential(3)],
        ["mean wire length", wireLength.toFixed(4)],
        ["steps", m.steps < reference ?
          `${m.steps} of the reference ${reference}: may be under-trained` : `${m.steps} (the reference)`],
      ]);
      ui.weightsHash.value = m.weightsHash;
      ui.network.dataset.state = "trained";
      show(m.snapshot, `${ui.task.value} · ${ui.mode.value} · seed ${ui.seed.value} · ${m.steps} steps`, true);
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
        requestDraw(true);
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

/** The picture to show next; drawn at the next allowed frame (`now`: at the next frame, e.g. the final one). */
function show(snapshot: ModelSnapshot, title: string, now = false): void {
  picture = { snapshot, title, names, kept: undefined };
  requestDraw(now);
}

function requestDraw(now: boolean): void {
  dirty = true;
  if (inFlight > 0) return; // painted() asks again
  // While training, wait until the last turn is DRAW_MIN_MS old and the painter stays within its share.
  const wait = now ? 0 :
    Math.max(0, lastDraw.at + Math.max(DRAW_MIN_MS, lastDraw.ms / painter.share) - performance.now());
  if (wait > 0) {
    drawTimer ??= setTimeout(() => {
      drawTimer = undefined;
      requestDraw(true);
    }, wait);
    return;
  }
  clearTimeout(drawTimer);
  drawTimer = undefined;
  draw();
}

/** Sends the current picture (and the curves) to the painter. */
function draw(): void {
  if (!picture) return;
  dirty = false;
  lastDraw = { at: performance.now(), ms: 0 };
  const { snapshot, title, names: n, kept } = picture;
  const width = pictureWidth();
  const final = ui.network.dataset.state !== "training";
  ui.network.setAttribute("aria-label", title);
  inFlight++;
  painter.draw({
    kind: "network",
    snapshot,
    options: { title, inputNames: n.inputNames, outputNames: n.outputNames, circuit: kept ? { kept } : undefined,
      width },
    svg: final, // the download is the same tree as the screen, legend included
  });
  if (curve.loss.length > 1) {
    ui.curves.hidden = false;
    inFlight++;
    painter.draw({
      kind: "curves",
      series: [{ name: "loss", points: curve.loss }, { name: "connection cost", points: curve.cost }],
      options: { title: "training", xLabel: "step", yLabel: "value (log)", logY: true, width, height: 220 },
    });
  }
}

function painted(p: Painted): void {
  inFlight--;
  lastDraw.ms += p.ms;
  const canvas = p.kind === "network" ? ui.network : ui.curves;
  canvas.style.aspectRatio = `${p.width} / ${p.height}`;
  if (p.kind === "network") ui.network.dataset.frames = String(Number(ui.network.dataset.frames ?? 0) + 1);
  if (p.svg !== undefined) offer(ui.downloadSvg, p.svg, "image/svg+xml", "network.svg");
  if (inFlight === 0 && dirty) requestDraw(ui.network.dataset.state !== "training"); // a final picture: at once
}

/**
 * The drawing worker, painting on the canvases handed over to it; or, where a browser cannot hand a
 * canvas to a worker, this thread (with a smaller share of its time).
 */
function startPainter(): { draw(r: PictureRequest): void; share: number } {
  const ratio = Math.min(2, globalThis.devicePixelRatio || 1);
  if (typeof ui.network.transferControlToOffscreen === "function") {
    const w = startWorker(__DRAW_WORKER_SOURCE__);
    const network = ui.network.transferControlToOffscreen();
    const curves = ui.curves.transferControlToOffscreen();
    const post = (m: ToDrawWorker, transfer: Transferable[] = []) => w.postMessage(m, transfer);
    post({ type: "canvases", network, curves, ratio }, [network, curves]);
    w.onmessage = (ev: MessageEvent<Painted>) => painted(ev.data);
    w.onerror = (ev) => showError(`drawing failed: ${ev.message}`);
    return { draw: (request) => post({ type: "draw", request }), share: 0.5 };
  }
  return {
    draw: (r) => painted(renderPicture(r.kind === "network" ? ui.network : ui.curves, r, ratio)),
    share: 0.25,
  };
}

/** The picture's width in CSS px: its box's, within 320 … 760 (labels keep their size on a phone). */
function pictureWidth(): number {
  const box = ui.network.clientWidth; // the canvas's CSS width (100 % of its figure)
  return Math.round(Math.min(760, Math.max(320, box || 760)));
}

/** Appends a point, halving the series (every other point, the newest kept) when it grows past CURVE_POINTS. */
function addPoint(points: [number, number][], p: [number, number]): void {
  points.push(p);
  if (points.length <= CURVE_POINTS) return;
  const kept = points.filter((_, i) => (points.length - 1 - i) % 2 === 0);
  points.splice(0, points.length, ...kept);
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
    // A circuit that connects no input to an output claims nothing: its precision is undefined ("–").
    const p = s.groundTruth.precision;
    rows.push(["true inputs", `precision ${p === null ? "–" : format(p)}, recall ${format(s.groundTruth.recall)}`]);
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
