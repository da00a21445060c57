// The Node adapter: runs in the driver's own process (bench/index.ts). tfjs-wasm's binary is read from
// the installed package.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { arch, cpus, platform } from "node:os";
import { dirname, join } from "node:path";
import type { BenchAdapter } from "../run.ts";
import type { MachineInfo } from "../report.ts";
import { installCommonJsGlobals } from "./commonjs-globals.ts";

/** The machine as Node sees it (also the result file's machine, whichever runtimes ran). */
export function nodeMachine(): MachineInfo {
  return { cpu: cpus()[0]?.model.trim() ?? "unknown", cores: cpus().length, platform: `${platform()} ${arch()}` };
}

export const nodeAdapter: BenchAdapter = {
  runtime: { name: "node", version: process.versions.node, engine: `V8 ${process.versions.v8}` },
  machine: nodeMachine,
  async tfjsWasm() {
    installCommonJsGlobals(import.meta.url);
    const dir = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"));
    return new Uint8Array(await readFile(join(dir, "tfjs-backend-wasm-simd.wasm")));
  },
};
