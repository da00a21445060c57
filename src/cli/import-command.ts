// `brainwire import model.safetensors --out model.json`: a PyTorch-trained MLP, or a GPT-2- or
// TransformerLens-named transformer (detected from its tensor names), as a brainwire model.
import { writeFile } from "node:fs/promises";
import { UserError } from "../app/index.ts";
import { serializeModel } from "../model/io.ts";
import { importSafetensors } from "../model/safetensors.ts";
import type { Layout } from "../model/spec.ts";
import { detectTransformerNames, importTransformerSafetensors } from "../model/transformer-import.ts";
import { serializeTransformer } from "../model/transformer-io.ts";
import type { Activation, Norm } from "../model/transformer-spec.ts";
import { CliError } from "./errors.ts";
import { prepareOutput, readBytes } from "./files.ts";

export interface ImportFlags {
  out: string;
  layout?: string;
  inFold?: number;
  prefix?: string;
  heads?: number;
  act?: string;
  norm?: string;
  ctx?: number;
}

const ACTS = ["gelu", "silu", "relu"];
const NORMS = ["layernorm", "none"];

export async function importCommand(path: string, f: ImportFlags): Promise<void> {
  if (f.layout !== undefined && f.layout !== "line" && f.layout !== "grid") {
    throw new UserError("--layout", `must be "line" or "grid", got "${f.layout}"`);
  }
  const bytes = await readBytes(path, path);
  let names;
  try {
    names = detectTransformerNames(bytes);
  } catch (err) {
    throw new CliError(path, (err as Error).message);
  }
  if (names !== undefined) return importTransformer(path, bytes, f);
  for (const [flag, v] of [["--heads", f.heads], ["--act", f.act], ["--norm", f.norm], ["--ctx", f.ctx]] as const) {
    if (v !== undefined) throw new UserError(flag, "applies to transformer checkpoints (GPT-2 or TransformerLens names) only");
  }
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

async function importTransformer(path: string, bytes: Uint8Array, f: ImportFlags): Promise<void> {
  if (f.act !== undefined && !ACTS.includes(f.act)) throw new UserError("--act", `must be ${ACTS.join(", ")}; got "${f.act}"`);
  if (f.norm !== undefined && !NORMS.includes(f.norm)) throw new UserError("--norm", `must be ${NORMS.join(" or ")}; got "${f.norm}"`);
  for (const [flag, v] of [["--layout", f.layout], ["--in-fold", f.inFold], ["--prefix", f.prefix]] as const) {
    if (v !== undefined) throw new UserError(flag, "applies to MLP files only; this is a transformer checkpoint");
  }
  await prepareOutput(f.out, "--out");
  let snapshot;
  try {
    snapshot = importTransformerSafetensors(bytes, {
      nHeads: f.heads, act: f.act as Activation | undefined, norm: f.norm as Norm | undefined, ctx: f.ctx,
    });
  } catch (err) {
    throw new CliError(path, (err as Error).message);
  }
  await writeFile(f.out, serializeTransformer(snapshot));
  const s = snapshot.spec;
  console.log(`imported ${path} (${snapshot.meta?.names} names): ${s.nLayers} layers, dModel ${s.dModel}, ` +
    `${s.nHeads} heads × ${s.dHead}, MLP ${s.dMlp}, vocab ${s.vocab}, ctx ${s.ctx} → ${f.out}`);
}
