// `npm run bench [suite…]`: runs the registered suites in one process, so every ratio compares runs
// made side by side, prints one table and writes out/bench.json for tracking.
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createEngine } from "../src/engine/engine.ts";
import { formatTable, loadTfjsWasm, ratio, type BenchContext, type Row, type Suite } from "./harness.ts";
import { acdcSuite } from "./suites/acdc.ts";
import { circuitsSuite } from "./suites/circuits.ts";
import { engineSuite } from "./suites/engine.ts";
import { gemmSuite } from "./suites/gemm.ts";
import { trainSuite } from "./suites/train.ts";

// New suites (training steps/s, ACDC, …) register here.
const SUITES: Suite[] = [engineSuite, gemmSuite, trainSuite, acdcSuite, circuitsSuite];

// The smallest module that uses a v128 instruction: tells whether this runtime has WASM SIMD at all.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
  if (unknown.length) {
    throw new Error(`unknown suite ${unknown.join(", ")}; have ${SUITES.map((s) => s.name).join(", ")}`);
  }
  const suites = wanted.length ? SUITES.filter((s) => wanted.includes(s.name)) : SUITES;

  const rows: Row[] = [];
  const ctx: BenchContext = {
    engine: await createEngine(),
    tf: loadTfjsWasm,
    add(row) {
      rows.push(row);
      const r = Object.keys(row.baselines).map((n) => `${n} ${ratio(row, n)?.toFixed(2)}×`);
      console.log(`  ${row.suite} ${row.case}: ${row.ours.ms.toPrecision(4)} ms  ${r.join("  ")}`);
    },
  };
  const started = performance.now();
  for (const suite of suites) {
    console.log(`${suite.name}…`);
    await suite.run(ctx);
  }
  console.log(`\n${formatTable(rows)}\n`);

  const tf = await loadTfjsWasm();
  const { version_wasm: tfjsWasm } = await import("@tensorflow/tfjs-backend-wasm");
  const pkg = createRequire(import.meta.url)("../package.json") as { version: string };
  const report = {
    version: 1,
    timestamp: new Date().toISOString(),
    commit: process.env.GIT_COMMIT ?? process.env.GITHUB_SHA,
    runtime: { name: "node", version: process.versions.node, v8: process.versions.v8 },
    versions: { brainwire: pkg.version, tfjsCore: tf.version_core, tfjsBackendWasm: tfjsWasm },
    simd: WebAssembly.validate(SIMD_PROBE),
    seconds: (performance.now() - started) / 1000,
    rows: rows.map((r) => ({
      ...r,
      ratios: Object.fromEntries(Object.keys(r.baselines).map((n) => [n, ratio(r, n)])),
    })),
  };
  await mkdir("out", { recursive: true });
  await writeFile("out/bench.json", `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote out/bench.json (${report.seconds.toFixed(0)} s)`);
}

await main();
