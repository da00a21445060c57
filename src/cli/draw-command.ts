// `brainwire draw model.json --out net.svg [--circuit circuit.json]`: the network picture of
// docs/pictures.md, with a circuit drawn over it (kept edges solid, pruned edges faint); a transformer
// file gets the transformer picture (src/viz/transformer-svg.ts).
import { writeFile } from "node:fs/promises";
import { asUserError, UserError } from "../app/index.ts";
import { circuitMask, parseCircuit } from "../circuits/circuit-io.ts";
import { modelHash } from "../model/io.ts";
import { isTransformerSnapshot, parseAnyModel } from "../model/model-file.ts";
import type { TransformerSnapshot } from "../model/transformer-io.ts";
import { drawNetwork, type CircuitMask } from "../viz/network-svg.ts";
import { drawTransformer } from "../viz/transformer-svg.ts";
import { CliError } from "./errors.ts";
import { prepareOutput, readText } from "./files.ts";

export async function drawCommand(modelPath: string, f: { out: string; title?: string; circuit?: string }):
  Promise<void> {
  const any = parsed(modelPath, parseAnyModel, await readText(modelPath, modelPath));
  if (isTransformerSnapshot(any)) return drawTransformerFile(any, f);
  const snapshot = any;
  await prepareOutput(f.out, "--out");
  const meta = snapshot.meta ?? {};
  const names = (k: string) => (Array.isArray(meta[k]) ? (meta[k] as string[]) : undefined);
  let circuit: CircuitMask | undefined;
  let caption: string | undefined;
  if (f.circuit) {
    const c = parsed(f.circuit, parseCircuit, await readText(f.circuit, "--circuit"));
    const hash = modelHash(snapshot);
    if (c.modelHash !== hash) {
      throw new UserError("--circuit", `${f.circuit} belongs to another model (model hash ${c.modelHash}, ` +
        `${modelPath} has ${hash})`);
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

async function drawTransformerFile(s: TransformerSnapshot, f: { out: string; title?: string; circuit?: string }):
  Promise<void> {
  if (f.circuit) throw new UserError("--circuit", "circuits of transformers cannot be drawn yet; draw the model without --circuit");
  await prepareOutput(f.out, "--out");
  const meta = s.meta ?? {};
  const names = (k: string) => (Array.isArray(meta[k]) ? (meta[k] as string[]) : undefined);
  const svg = drawTransformer(s, {
    tokenNames: names("tokenNames"),
    inputNames: names("inputNames"),
    outputNames: names("outputNames"),
    title: f.title ?? [meta.task, meta.mode].filter(Boolean).join(" · "),
  });
  await writeFile(f.out, svg);
  console.log(`wrote ${f.out}`);
}

/** A file's text parsed; a format problem is the user's, named by the file. */
function parsed<T>(path: string, parse: (text: string) => T, text: string): T {
  try {
    return parse(text);
  } catch (err) {
    const e = asUserError(err, path);
    throw e instanceof UserError ? new CliError(path, e.problem) : e;
  }
}
