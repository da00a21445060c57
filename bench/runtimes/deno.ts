// The Deno adapter and entry (dist/bench-deno.js, started by the driver with read access to the tfjs
// package and write access to one report file). CPU facts come from Deno's Node compatibility (node:os).
import { cpus } from "node:os";
import type { BenchAdapter } from "../run.ts";
import { childMain } from "./child.ts";
import { installCommonJsGlobals } from "./commonjs-globals.ts";

declare const Deno: {
  version: { deno: string; v8: string };
  build: { os: string; arch: string };
  args: string[];
  readFile(path: URL): Promise<Uint8Array>;
  writeTextFile(path: string, text: string): Promise<void>;
};

// The bundle lives in dist/, next to node_modules/.
const TFJS_WASM = new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm", import.meta.url);

export const denoAdapter: BenchAdapter = {
  runtime: { name: "deno", version: Deno.version.deno, engine: `V8 ${Deno.version.v8}` },
  machine: () => ({
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: navigator.hardwareConcurrency,
    platform: `${Deno.build.os} ${Deno.build.arch}`,
  }),
  async tfjsWasm() {
    installCommonJsGlobals(import.meta.url);
    return Deno.readFile(TFJS_WASM);
  },
};

await childMain(denoAdapter, Deno.args, (path, text) => Deno.writeTextFile(path, text));
