// `brainwire import model.safetensors --out model.json`: a PyTorch-trained MLP as a brainwire model.
import { writeFile } from "node:fs/promises";
import { UserError } from "../app/index.ts";
import { serializeModel } from "../model/io.ts";
import { importSafetensors } from "../model/safetensors.ts";
import type { Layout } from "../model/spec.ts";
import { CliError } from "./errors.ts";
import { prepareOutput, readBytes } from "./files.ts";

export interface ImportFlags {
  out: string;
  layout?: string;
  inFold?: number;
  prefix?: string;
}

export async function importCommand(path: string, f: ImportFlags): Promise<void> {
  if (f.layout !== undefined && f.layout !== "line" && f.layout !== "grid") {
    throw new UserError("--layout", `must be "line" or "grid", got "${f.layout}"`);
  }
  const bytes = await readBytes(path, path);
  await prepareOutput(f.out, "--out");
  let snapshot;
  try {
    snapshot = importSafetensors(bytes, { layout: f.layout as Layout | undefined, inFold: f.inFold, prefix: f.prefix });
  } catch (err) {
    throw new CliError(path, (err as Error).message);
  }
  await writeFile(f.out, serializeModel(snapshot));
  console.log(`imported ${path}: shape ${snapshot.spec.shape.join("-")} → ${f.out}`);
}
