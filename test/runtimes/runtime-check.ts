// The runtime check for Deno and Bun: imports the library bundle as an app would, runs CHECK_CASES and
// prints one JSON line per case. `deno run test/runtimes/runtime-check.ts` needs no permissions: the
// WASM bytes are inside the bundle. test/runtimes/runtimes.test.ts compares the lines with Node.
// @ts-expect-error: the bundle ships no declarations (built by scripts/build.mjs); its API is src/exports/check.ts
import * as bundle from "../../dist/check.js";
import type * as Api from "../../src/exports/check.ts";
import { CHECK_CASES, TRANSFORMER_CHECK_CASES } from "./cases.ts";

const { runCheck, runTransformerCheck } = bundle as typeof Api;
for (const c of CHECK_CASES) console.log(JSON.stringify(await runCheck(c)));
for (const c of TRANSFORMER_CHECK_CASES) console.log(JSON.stringify(await runTransformerCheck(c)));
