// Runs suites on whatever runtime this is, through that runtime's adapter (bench/runtimes/), and returns
// its report: the same code on Node, Deno, Bun and in a browser's Web Worker. Every row must have been
// validated before it was timed (harness rowProblem), or the run fails naming the row.
import { createEngine } from "../src/engine/engine.ts";
import { VERSION } from "../src/app/version.ts";
import { wasmVersion } from "../src/study/protocol.ts";
import {
  configureTiming,
  ratio,
  rowProblem,
  takeValidations,
  timerResolution,
  type BenchContext,
  type BenchSetting,
  type Row,
  type Suite,
  type Tf,
} from "./harness.ts";
import type { MachineInfo, RowRecord, RuntimeInfo, RuntimeReport, SuiteRecord } from "./report.ts";
import { SUITES } from "./suites/index.ts";
import { loadTfjsWasm, type TfjsInfo } from "./tfjs.ts";

/** What differs per runtime: who it is, the machine as it sees it, and how it reads the tfjs-wasm binary. */
export interface BenchAdapter {
  runtime: RuntimeInfo;
  machine(): MachineInfo | Promise<MachineInfo>;
  /** The bytes of @tensorflow/tfjs-backend-wasm's tfjs-backend-wasm-simd.wasm. */
  tfjsWasm(): Promise<Uint8Array>;
}

export type BenchEvent =
  | { type: "suite"; suite: string; index: number; total: number }
  | { type: "skip"; suite: string; reason: string }
  | { type: "row"; row: RowRecord }
  | { type: "note"; suite: string; text: string };

export interface RunOptions {
  setting: BenchSetting;
  /** Suite names; default all. */
  suites?: readonly string[];
  onEvent?: (e: BenchEvent) => void;
  /** Checked between rows and suites. */
  signal?: AbortSignal;
  /** The suites to pick from (default the registry, bench/suites/index.ts). */
  registry?: readonly Suite[];
}

// The smallest module that uses a v128 instruction: tells whether this runtime has WASM SIMD at all.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

/** The suites of `names` in registry order; unknown names are an error that lists the known ones. */
export function selectSuites(names: readonly string[] = [], registry: readonly Suite[] = SUITES): Suite[] {
  const unknown = names.filter((w) => !registry.some((s) => s.name === w));
  if (unknown.length) {
    throw new Error(`unknown suite ${unknown.join(", ")}; have ${registry.map((s) => s.name).join(", ")}`);
  }
  return names.length ? registry.filter((s) => names.includes(s.name)) : [...registry];
}

/** "suite case: 1.234 ms  tfjs-wasm 1.10×": the progress line of a finished row. */
export function rowLine(row: Row): string {
  const r = Object.keys(row.baselines).map((n) => `${n} ${ratio(row, n)?.toFixed(2)}×`);
  return `${row.suite} ${row.case}: ${row.ours.ms.toPrecision(4)} ms  ${r.join("  ")}`;
}

/** Prints each event as a progress line (what the CLI and the child runtimes show). */
export function printEvents(runtime: string, print: (line: string) => void = console.log): (e: BenchEvent) => void {
  return (e) => {
    if (e.type === "suite") print(`${e.suite}…`);
    else if (e.type === "row") print(`  ${rowLine(e.row)}`);
    else if (e.type === "note") print(`  ${e.text}`);
    else print(`${e.suite}: not on ${runtime} (${e.reason})`);
  };
}

export async function runBench(adapter: BenchAdapter, opts: RunOptions): Promise<RuntimeReport> {
  const suites = selectSuites(opts.suites, opts.registry);
  const emit = opts.onEvent ?? (() => {});
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const timerResolutionMs = timerResolution();
  configureTiming(opts.setting, timerResolutionMs);

  let tfjs: Promise<{ tf: Tf; info: TfjsInfo }> | undefined;
  const loadTf = () => (tfjs ??= adapter.tfjsWasm().then(loadTfjsWasm));
  const rows: RowRecord[] = [];
  const notes: string[] = [];
  const records: SuiteRecord[] = [];
  let current = "";
  const ctx: BenchContext = {
    engine: await createEngine(),
    tf: async () => (await loadTf()).tf,
    setting: opts.setting,
    runtime: adapter.runtime.name,
    choose: (bySetting) => bySetting[opts.setting],
    note(text) {
      notes.push(`${current}: ${text}`);
      emit({ type: "note", suite: current, text });
    },
    add(row) {
      opts.signal?.throwIfAborted();
      const validated = row.validated ?? takeValidations();
      const problem = rowProblem(row, validated);
      if (problem) throw new Error(`bench: ${row.suite} ${row.case}: ${problem}`);
      const ratios = Object.fromEntries(Object.keys(row.baselines).map((n) => [n, ratio(row, n)!]));
      const record: RowRecord = { ...row, validated, ratios };
      rows.push(record);
      emit({ type: "row", row: record });
    },
  };
  for (const [index, suite] of suites.entries()) {
    opts.signal?.throwIfAborted();
    if (suite.unsupported?.runtimes.includes(adapter.runtime.name)) {
      records.push({ name: suite.name, skipped: suite.unsupported.reason });
      emit({ type: "skip", suite: suite.name, reason: suite.unsupported.reason });
      continue;
    }
    current = suite.name;
    emit({ type: "suite", suite: suite.name, index, total: suites.length });
    takeValidations(); // a suite's first row is validated by its own checks only
    await suite.run(ctx);
    records.push({ name: suite.name });
  }
  const info = tfjs ? (await tfjs).info : undefined;
  return {
    runtime: adapter.runtime,
    machine: await adapter.machine(),
    versions: { brainwire: VERSION, ...info },
    wasm: { hash: wasmVersion(), simd: WebAssembly.validate(SIMD_PROBE) },
    setting: opts.setting,
    timerResolutionMs,
    startedAt,
    seconds: (performance.now() - started) / 1000,
    suites: records,
    rows,
    notes,
  };
}
