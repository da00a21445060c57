// Cold start: decoding the embedded module bytes, compiling and instantiating them, against the 50 ms
// budget of docs/benchmarks.md. The first compile in this process is the cold figure; V8 caches
// compiled modules by their bytes, so later compiles (the median, printed too) are warm.
import { wasmBase64 } from "../../src/engine/generated/wasm-bytes.ts";
import { measure, type Suite } from "../harness.ts";
import { budget } from "./train.ts";

async function startOnce(): Promise<number> {
  const t0 = performance.now();
  const bin = atob(wasmBase64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const module = await WebAssembly.compile(bytes);
  await WebAssembly.instantiate(module, {});
  return performance.now() - t0;
}

export const engineSuite: Suite = {
  name: "engine",
  async run(ctx) {
    const cold = await startOnce();
    const warm = measure(() => void startOnce(), { minMs: 200 });
    console.log(`  module: ${(wasmBase64.length * 0.75 / 1024).toFixed(0)} KiB, warm start ${warm.ms.toFixed(2)} ms`);
    ctx.add({
      suite: "engine",
      case: "cold start (decode + compile + instantiate)",
      ours: { ms: cold, samples: 1 },
      baselines: { budget: budget(50) },
      targets: [{ baseline: "budget", ratio: 1 }],
    });
  },
};
