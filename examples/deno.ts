// brainwire in Deno: the same steps on the library bundle (dist/brainwire.js and its chunks, WASM inside),
// no permissions needed:
//   deno run examples/deno.ts
// In your own project: import { … } from "npm:brainwire".
// @ts-expect-error: the bundle ships no declarations; its API is src/index.ts
import { discover, train } from "../dist/brainwire.js";

const trained = await train({ task: "two-moons", mode: "bimt", seed: 1, steps: 600 });
const found = await discover(trained.model, { tau: 1e-3 });
const edges = `${found.edges} of ${found.totalEdges} edges`;
console.log(`weights ${trained.weightsHash} circuit ${found.circuitHash} (${edges})`);
