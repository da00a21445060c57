// `npm run bench -- --runtime all --smoke`: one tiny case of every suite on every runtime, through the
// built bundles. Checks the result file's shape and that every row was validated against its reference
// before it was timed; timings are never asserted.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBenchFile, type BenchFile } from "../../bench/report.ts";
import { SUITES } from "../../bench/suites/index.ts";
import { wasmVersion } from "../../src/study/protocol.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const RUNTIMES = ["node", "deno", "bun"];

let dir: string;
let file: BenchFile;
let stdout: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "brainwire-bench-test-"));
  const out = join(dir, "bench.json");
  ({ stdout } = await run(process.execPath, [join(root, "bin/bench.js"), "--runtime", "all", "--smoke", "--out", out],
    { cwd: root, maxBuffer: 1 << 24 }));
  file = parseBenchFile(await readFile(out, "utf8"));
}, 300_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("bench smoke run on every runtime", () => {
  it("writes one run per runtime, with the machine, each runtime's engine and the module's hash", () => {
    expect(file.setting).toBe("smoke");
    expect(file.machine.cpu.length).toBeGreaterThan(0);
    expect(file.machine.cores).toBeGreaterThanOrEqual(1);
    expect(file.runs.map((r) => r.runtime.name)).toEqual(RUNTIMES);
    for (const r of file.runs) {
      expect(r.runtime.version, r.runtime.name).toMatch(/^\d+\.\d+/);
      expect(r.runtime.engine, r.runtime.name).toMatch(r.runtime.name === "bun" ? /^JavaScriptCore/ : /^V8 \d+\./);
      expect(r.wasm).toEqual({ hash: wasmVersion(), simd: true });
      expect(r.versions.tfjsBackendWasm).toMatch(/^4\./);
      expect(r.machine.cores).toBeGreaterThanOrEqual(1);
      expect(r.setting).toBe("smoke");
    }
  });

  it("ran every registered suite (or says why not) and validated every row before timing it", () => {
    for (const r of file.runs) {
      for (const suite of SUITES) {
        const record = r.suites.find((s) => s.name === suite.name);
        const skips = suite.unsupported?.runtimes.includes(r.runtime.name) ?? false;
        expect(record, `${r.runtime.name} ${suite.name}`).toEqual(skips
          ? { name: suite.name, skipped: suite.unsupported!.reason } : { name: suite.name });
        if (!skips) expect(r.rows.some((row) => row.suite === suite.name), `${r.runtime.name} ${suite.name} rows`).toBe(true);
      }
      for (const row of r.rows) {
        const label = `${r.runtime.name} ${row.suite} ${row.case}`;
        const timed = [row.ours, ...Object.values(row.baselines)].filter((m) => m.samples > 0);
        expect(timed.length, label).toBeGreaterThan(0);
        expect(row.validated.length, label).toBeGreaterThan(0);
        const firstTiming = Math.min(...timed.map((m) => m.at!));
        for (const v of row.validated) expect(v.at, `${label}: ${v.label}`).toBeLessThan(firstTiming);
        for (const m of timed) {
          expect(m.raw, label).toHaveLength(m.samples);
          expect(m.raw!.every((t) => Number.isFinite(t) && t >= 0), label).toBe(true);
        }
        for (const [name, ratio] of Object.entries(row.ratios)) {
          expect(ratio, `${label} vs ${name}`).toBeCloseTo(row.baselines[name].ms / row.ours.ms, 9);
        }
      }
    }
  });

  it("the same cases on every runtime, and one table with a column per runtime", () => {
    const cases = file.runs.map((r) => r.rows.map((row) => `${row.suite} ${row.case}`));
    for (const c of cases.slice(1)) expect(c).toEqual(cases[0]);
    expect(stdout).toMatch(/\nsuite +case +ratio vs +node +deno +bun\n/);
    for (const row of file.runs[0].rows) expect(stdout).toContain(row.case);
  });
});
