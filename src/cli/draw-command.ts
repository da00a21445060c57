// `brainwire draw model.json --out net.svg`: the network picture of spec/bimt.md.
import { readFile, writeFile } from "node:fs/promises";
import { parseModel } from "../model/io.ts";
import { drawNetwork } from "../viz/network-svg.ts";

export async function drawCommand(modelPath: string, f: { out: string; title?: string }): Promise<void> {
  const snapshot = parseModel(await readFile(modelPath, "utf8"));
  const meta = snapshot.meta ?? {};
  const names = (k: string) => (Array.isArray(meta[k]) ? (meta[k] as string[]) : undefined);
  const svg = drawNetwork(snapshot, {
    inputNames: names("inputNames"),
    outputNames: names("outputNames"),
    title: f.title ?? [meta.task, meta.mode].filter(Boolean).join(" · "),
  });
  await writeFile(f.out, svg);
  console.log(`wrote ${f.out}`);
}
