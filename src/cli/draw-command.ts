// `brainwire draw model.json --out net.svg [--circuit circuit.json]`: the network picture of
// spec/bimt.md, with a circuit drawn over it (kept edges solid, pruned edges faint).
import { readFile, writeFile } from "node:fs/promises";
import { circuitMask, parseCircuit } from "../circuits/circuit-io.ts";
import { modelHash, parseModel } from "../model/io.ts";
import { drawNetwork, type CircuitMask } from "../viz/network-svg.ts";

export async function drawCommand(modelPath: string, f: { out: string; title?: string; circuit?: string }):
  Promise<void> {
  const snapshot = parseModel(await readFile(modelPath, "utf8"));
  const meta = snapshot.meta ?? {};
  const names = (k: string) => (Array.isArray(meta[k]) ? (meta[k] as string[]) : undefined);
  let circuit: CircuitMask | undefined;
  let caption: string | undefined;
  if (f.circuit) {
    const c = parseCircuit(await readFile(f.circuit, "utf8"));
    const hash = modelHash(snapshot);
    if (c.modelHash !== hash) {
      throw new Error(`${f.circuit} belongs to another model (model hash ${c.modelHash}, ${modelPath} has ${hash})`);
    }
    circuit = { kept: circuitMask(c, snapshot.spec) };
    caption = `${c.settings.method}, ${c.settings.ablation} ablation, ${c.settings.metric}` +
      `${c.settings.tau !== undefined ? `, τ ${c.settings.tau}` : ""}: ${c.edges.length} edges kept`;
  }
  const svg = drawNetwork(snapshot, {
    inputNames: names("inputNames"),
    outputNames: names("outputNames"),
    title: f.title ?? [meta.task, meta.mode].filter(Boolean).join(" · "),
    caption,
    circuit,
  });
  await writeFile(f.out, svg);
  console.log(`wrote ${f.out}`);
}
