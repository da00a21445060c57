// `brainwire import model.safetensors --out model.json`: a PyTorch-trained MLP as a brainwire model.
import { readFile, writeFile } from "node:fs/promises";
import { serializeModel } from "../model/io.ts";
import { importSafetensors } from "../model/safetensors.ts";
import type { Layout } from "../model/spec.ts";

export interface ImportFlags {
  out: string;
  layout?: string;
  inFold?: number;
  prefix?: string;
}

export async function importCommand(path: string, f: ImportFlags): Promise<void> {
  if (f.layout !== undefined && f.layout !== "line" && f.layout !== "grid") {
    throw new Error(`--layout must be "line" or "grid", got "${f.layout}"`);
  }
  const bytes = new Uint8Array(await readFile(path));
  const snapshot = importSafetensors(bytes, { layout: f.layout as Layout | undefined, inFold: f.inFold, prefix: f.prefix });
  await writeFile(f.out, serializeModel(snapshot));
  console.log(`imported ${path}: shape ${snapshot.spec.shape.join("-")} → ${f.out}`);
}
