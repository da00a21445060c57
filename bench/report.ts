// The result file (out/bench.json, the page's download): one run per runtime, each with every raw sample,
// the runtime and its engine, the WASM module's hash and the machine. Versioned; parseBenchFile checks the
// parts that `brainwire bench compare` reads and names the first thing that is wrong.
import { z } from "zod";
import { RUNTIMES, SETTINGS, type BenchSetting, type Row, type RuntimeName, type Validation } from "./harness.ts";

export const BENCH_FORMAT = "brainwire-bench";
export const BENCH_VERSION = 2;

export interface RuntimeInfo {
  name: RuntimeName;
  /** The runtime's own version (Node's, Deno's, Bun's, Chromium's). */
  version: string;
  /** Its JavaScript/WASM engine and version, e.g. "V8 12.4.254.21-node.33" or "JavaScriptCore (WebKit …)". */
  engine: string;
}

export interface MachineInfo {
  /** CPU model as the runtime reports it ("unknown" where it cannot tell, as in browsers). */
  cpu: string;
  cores: number;
  platform?: string;
}

/** A row as stored: its validations attached and its ratios computed. */
export interface RowRecord extends Row {
  validated: Validation[];
  ratios: Record<string, number>;
}

export interface SuiteRecord {
  name: string;
  /** Present when the suite did not run on this runtime: why. */
  skipped?: string;
}

export interface RuntimeReport {
  runtime: RuntimeInfo;
  machine: MachineInfo;
  versions: { brainwire: string; tfjsCore?: string; tfjsBackendWasm?: string };
  /** The AssemblyScript module that ran: its hash (as in study reports) and whether the runtime has SIMD. */
  wasm: { hash: string; simd: boolean };
  setting: BenchSetting;
  /** The smallest step of performance.now() seen; samples last at least 20 of them. */
  timerResolutionMs: number;
  startedAt: string;
  seconds: number;
  suites: SuiteRecord[];
  rows: RowRecord[];
  notes: string[];
}

export interface BenchFile {
  format: typeof BENCH_FORMAT;
  version: typeof BENCH_VERSION;
  createdAt: string;
  setting: BenchSetting;
  /** The machine that ran it, as the driver (or the page) sees it. */
  machine: MachineInfo;
  commit?: string;
  command?: string;
  runs: RuntimeReport[];
}

const measure = z.looseObject({
  ms: z.number().positive(),
  samples: z.number().int().min(0),
  raw: z.array(z.number()).optional(),
});
const row = z.looseObject({
  suite: z.string(),
  case: z.string(),
  ours: measure,
  baselines: z.record(z.string(), measure),
});
const run = z.looseObject({
  runtime: z.looseObject({ name: z.enum(RUNTIMES), version: z.string(), engine: z.string() }),
  rows: z.array(row),
});
const file = z.looseObject({
  format: z.literal(BENCH_FORMAT, { error: `not a brainwire bench file (format must be "${BENCH_FORMAT}")` }),
  version: z.literal(BENCH_VERSION, { error: `unsupported version (this brainwire reads version ${BENCH_VERSION})` }),
  setting: z.enum(SETTINGS),
  runs: z.array(run).min(1, "holds no run"),
});

/** Parses a result file's text; errors name the file's field that is wrong. */
export function parseBenchFile(text: string): BenchFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`);
  }
  const parsed = file.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue.path.length ? issue.path.join(".") : "file"}: ${issue.message}`);
  }
  return parsed.data as unknown as BenchFile;
}
