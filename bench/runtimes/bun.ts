// The Bun adapter and entry (dist/bench-bun.js, started by the driver). Bun runs JavaScriptCore, not V8:
// the one runtime here whose WASM engine differs.
import { cpus } from "node:os";
import type { BenchAdapter } from "../run.ts";
import { childMain } from "./child.ts";
import { installCommonJsGlobals } from "./commonjs-globals.ts";

declare const Bun: {
  version: string;
  revision: string;
  argv: string[];
  file(path: URL): { bytes(): Promise<Uint8Array> };
  write(path: string, text: string): Promise<number>;
};
declare const process: { versions: Record<string, string | undefined>; platform: string; arch: string };

const TFJS_WASM = new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm", import.meta.url);

export const bunAdapter: BenchAdapter = {
  runtime: {
    name: "bun",
    version: Bun.version,
    engine: `JavaScriptCore (WebKit ${process.versions.webkit?.slice(0, 12) ?? "unknown"})`,
  },
  machine: () => ({
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: navigator.hardwareConcurrency,
    platform: `${process.platform} ${process.arch}`,
  }),
  async tfjsWasm() {
    installCommonJsGlobals(import.meta.url);
    return Bun.file(TFJS_WASM).bytes();
  },
};

await childMain(bunAdapter, Bun.argv.slice(2), (path, text) => Bun.write(path, text));
