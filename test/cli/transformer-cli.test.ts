// brainwire import and draw with transformers, as a user runs them.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseTransformer, transformerHash, transformerSnapshot } from "../../src/model/transformer-io.ts";
import { writeSafetensors } from "../../src/model/safetensors.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { bundleCli, type CliResult } from "../helpers/cli.ts";
import { gpt2Tensors, lensTensors } from "../helpers/transformer-files.ts";
import { randomTensors } from "../helpers/transformer-oracle.ts";

let dir = "";
let brainwire: (...args: string[]) => Promise<CliResult>;
const spec: TransformerSpec = {
  kind: "transformer", vocab: 9, outDim: 9, ctx: 6, dModel: 8, nHeads: 2, dHead: 4, nLayers: 2, dMlp: 12,
  norm: "layernorm", act: "gelu", positions: true, unembedBias: false,
};
const t = randomTensors(transformerTensors(spec), 9);
t["unembed.weight"] = t.tok.slice();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "brainwire-tx-cli-"));
  brainwire = await bundleCli("transformer-cli.mjs");
});

describe("brainwire import (transformers)", () => {
  it("imports a GPT-2 checkpoint with --heads into a version-2 model file, then draws it", async () => {
    const file = join(dir, "gpt2.safetensors");
    await writeFile(file, writeSafetensors(gpt2Tensors(spec, t, { prefix: "transformer." }), { format: "pt" }));
    const out = join(dir, "gpt2.json");
    const r = await brainwire("import", file, "--heads", "2", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/gpt2 names\): 2 layers, dModel 8, 2 heads × 4, MLP 12, vocab 9, ctx 6/);
    const model = parseTransformer(await readFile(out, "utf8"));
    expect(model.spec).toEqual(spec);
    expect(transformerHash(model)).toBe(transformerHash(transformerSnapshot(spec, t)));
    const svg = join(dir, "gpt2.svg");
    const d = await brainwire("draw", out, "--out", svg);
    expect(d.code, d.stderr).toBe(0);
    const text = await readFile(svg, "utf8");
    expect(text).toContain(">attn 1</text>");
    expect(text).toContain(">head 1</text>");
  });

  it("imports a TransformerLens file; says what is missing as a user error (exit 2)", async () => {
    const file = join(dir, "lens.safetensors");
    await writeFile(file, writeSafetensors(lensTensors(spec, t)));
    const ok = await brainwire("import", file, "--act", "gelu", "--out", join(dir, "lens.json"));
    expect(ok.code, ok.stderr).toBe(0);
    const gpt2 = join(dir, "gpt2-bare.safetensors");
    await writeFile(gpt2, writeSafetensors(gpt2Tensors(spec, t)));
    const noHeads = await brainwire("import", gpt2, "--out", join(dir, "x.json"));
    expect(noHeads.code).toBe(2);
    expect(noHeads.stderr).toMatch(/gpt2-bare\.safetensors: safetensors \(GPT-2 names\): GPT-2 checkpoints do not record the number of heads/);
    const badAct = await brainwire("import", gpt2, "--heads", "2", "--act", "tanh", "--out", join(dir, "x.json"));
    expect([badAct.code, badAct.stderr]).toEqual([2, expect.stringMatching(/--act: must be gelu, silu, relu/)]);
    const mlpFlag = await brainwire("import", gpt2, "--heads", "2", "--layout", "grid", "--out", join(dir, "x.json"));
    expect([mlpFlag.code, mlpFlag.stderr]).toEqual([2, expect.stringMatching(/--layout: applies to MLP files only/)]);
  });

  it("draw refuses a circuit over a transformer, for now", async () => {
    const out = join(dir, "gpt2.json");
    const r = await brainwire("draw", out, "--circuit", out, "--out", join(dir, "c.svg"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--circuit: circuits of transformers cannot be drawn yet/);
  });
});
