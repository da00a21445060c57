// The tfjs-wasm baseline, set up the same way on every runtime: the runtime's adapter hands over the bytes
// of @tensorflow/tfjs-backend-wasm's SIMD binary, and tfjs instantiates them from a data: URL through its
// platform fetch (every runtime's fetch reads data: URLs; no file path or server is involved). Threads
// are off everywhere, as they always are on Node, so each runtime measures the same single-threaded
// XNNPACK build.
import type { Tf } from "./harness.ts";

export interface TfjsInfo {
  tfjsCore: string;
  tfjsBackendWasm: string;
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** tfjs-core with its gradients, on the wasm backend instantiated from `simdWasm`. */
export async function loadTfjsWasm(simdWasm: Uint8Array): Promise<{ tf: Tf; info: TfjsInfo }> {
  const tf = await import("@tensorflow/tfjs-core");
  // Training baselines need the gradient kernels; this import resolves only through the bundler.
  await import("@tensorflow/tfjs-core/dist/register_all_gradients");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const url = `data:application/wasm;base64,${base64(simdWasm)}`;
  // Every name maps to the SIMD binary; with threads off, tfjs asks for "tfjs-backend-wasm-simd.wasm".
  wasm.setWasmPaths({
    "tfjs-backend-wasm.wasm": url,
    "tfjs-backend-wasm-simd.wasm": url,
    "tfjs-backend-wasm-threaded-simd.wasm": url,
  }, true);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  tf.enableProdMode();
  if (!(await tf.setBackend("wasm"))) throw new Error("tfjs: the wasm backend failed to initialise");
  if (!(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"))) throw new Error("tfjs: this runtime has no WASM SIMD");
  return { tf, info: { tfjsCore: tf.version_core, tfjsBackendWasm: wasm.version_wasm } };
}
