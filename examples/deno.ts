// brainwire in Deno: the same steps on the self-contained bundle (WASM inside), no permissions needed:
//   deno run examples/deno.ts
// In your own project: import { … } from "npm:brainwire" (or copy dist/brainwire.js next to your code).
// @ts-expect-error: the bundle ships no declarations; its API is src/index.ts
import { discoverModel, trainModel } from "../dist/brainwire.js";

const trained = await trainModel({ task: "two-moons", mode: "bimt", seed: 1, steps: 600 });
const found = await discoverModel(trained.snapshot, { tau: 1e-3 });
const edges = `${found.edges} of ${found.totalEdges} edges`;
console.log(`weights ${trained.weightsHash} circuit ${found.circuitHash} (${edges})`);
