// Node, Deno and Bun all report process.versions.node, so tfjs takes its Node platform there: a CommonJS
// module that calls require("util") when it starts and an Emscripten loader that reads __dirname. Inside
// an ESM bundle those reach esbuild's require shim, which forwards to a global `require` if one exists.
// Both must exist before tfjs is imported (its binary itself comes from a data: URL, so the folder is moot).
import { createRequire } from "node:module";

export function installCommonJsGlobals(moduleUrl: string): void {
  const g = globalThis as { require?: unknown; __dirname?: string };
  g.require ??= createRequire(moduleUrl);
  g.__dirname ??= "/";
}
