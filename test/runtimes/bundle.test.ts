// The library bundle (dist/, built by scripts/build.mjs) as a package exposes it: the root export is the
// small API, the subpaths hold the layers, and the root's static imports never reach a reference or test
// oracle (the naive ACDC, the plain-TS kernels, the runtime check).
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");

interface Meta {
  outputs: Record<string, { imports: { path: string; kind: string }[]; inputs: Record<string, unknown>;
    entryPoint?: string }>;
}

/** Every source file an output loads before running: its own inputs and those of its static imports. */
function staticInputs(meta: Meta, out: string, seen = new Set<string>()): Set<string> {
  const files = new Set<string>();
  if (seen.has(out)) return files;
  seen.add(out);
  const o = meta.outputs[out];
  for (const input of Object.keys(o.inputs)) files.add(input);
  for (const i of o.imports) {
    if (i.kind === "import-statement" && meta.outputs[i.path]) {
      for (const f of staticInputs(meta, i.path, seen)) files.add(f);
    }
  }
  return files;
}

describe("the library bundle", () => {
  it("the root export loads no reference or test oracle", async () => {
    const meta = JSON.parse(await readFile(join(root, "dist/meta.json"), "utf8")) as Meta;
    const inputs = [...staticInputs(meta, "dist/brainwire.js")];
    expect(inputs).toContain("src/app/run.ts");
    expect(inputs).toContain("src/engine/engine.ts");
    for (const oracle of ["src/circuits/acdc-naive.ts", "src/exports/check.ts"]) expect(inputs).not.toContain(oracle);
    expect(inputs.filter((f) => f.startsWith("src/engine/reference/"))).toEqual([]);
    // The naive ACDC (for a metric given as a function) is a chunk loaded on demand.
    expect(Object.keys(meta.outputs).some((o) => Object.keys(meta.outputs[o].inputs).includes("src/circuits/acdc-naive.ts")))
      .toBe(true);
  });

  it("the root export is the small API; the layers are subpaths", async () => {
    const api = await import("../../src/index.ts");
    const names = Object.keys(api).sort();
    for (const f of ["train", "discover", "score", "predict", "load", "save", "loadCircuit", "saveCircuit", "draw",
      "UserError", "VERSION"]) expect(names).toContain(f);
    for (const low of ["Trainer", "acdc", "eap", "Mlp", "createEngine", "runStudy", "runCheck"]) expect(names).not.toContain(low);
    expect(names.length).toBeLessThan(35);
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    for (const sub of ["app", "engine", "model", "tasks", "train", "circuits", "study", "viz", "check"]) {
      expect(pkg.exports[`./${sub}`].node).toBe(`./dist/node/${sub}.js`);
      const mod = await import(`../../src/exports/${sub}.ts`);
      expect(Object.keys(mod).length).toBeGreaterThan(0);
    }
  });

  it("a UserError thrown through one entry is the class of another (shared chunks)", async () => {
    const rootApi = await import(join(root, "dist/brainwire.js"));
    const app = await import(join(root, "dist/app.js"));
    expect(rootApi.UserError).toBe(app.UserError);
    expect(() => app.resolveTrain({ steps: 0 })).toThrow(rootApi.UserError);
  });

  it("the package ships every entry and chunk of the library, and no benchmark bundle", async () => {
    const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    const meta = JSON.parse(await readFile(join(root, "dist/meta.json"), "utf8")) as Meta;
    for (const out of Object.keys(meta.outputs).filter((o) => o.endsWith(".js"))) expect(files).toContain(out);
    expect(files).toContain("dist/node/index.js");
    expect(files.filter((f) => /bench/.test(f) && f.startsWith("dist/"))).toEqual([]);
  });
});
