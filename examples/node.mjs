// brainwire in Node: train two-moons with BIMT, find its circuit with ACDC, print the hashes and save
// the picture. Run from a project with brainwire installed: node node.mjs
import { writeFile } from "node:fs/promises";
import { discover, draw, train } from "brainwire";

const trained = await train({ task: "two-moons", mode: "bimt", seed: 1, steps: 600 });
const found = await discover(trained.model, { tau: 1e-3 });
const edges = `${found.edges} of ${found.totalEdges} edges`;
console.log(`weights ${trained.weightsHash} circuit ${found.circuitHash} (${edges})`);

const svg = draw(trained.model, { circuit: found.circuit, title: "two-moons · bimt · circuit" });
if (process.argv[2]) await writeFile(process.argv[2], svg);
