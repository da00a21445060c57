// The same seeded training and discovery give the same bits everywhere: Node (in-process, from the sources) against
// Deno and Bun running the library bundle dist/brainwire.js (test/runtimes/runtime-check.ts).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { circuitHash, parseCircuit } from "../../src/exports/circuits.ts";
import { runCheck, runTransformerCheck, type CheckResult, type TransformerCheckResult } from "../../src/exports/check.ts";
import { save, train, type TaskName } from "../../src/index.ts";
import { CHECK_CASES, TRANSFORMER_CHECK_CASES } from "./cases.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const script = join(root, "test/runtimes/runtime-check.ts");

let node: CheckResult[];
let nodeTx: TransformerCheckResult[];
beforeAll(async () => {
  node = [];
  for (const c of CHECK_CASES) node.push(await runCheck(c));
  nodeTx = [];
  for (const c of TRANSFORMER_CHECK_CASES) nodeTx.push(await runTransformerCheck(c));
});

/** What runtime-check.ts prints: the MLP cases, then the transformer cases. */
function parseLines(stdout: string): (CheckResult | TransformerCheckResult)[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as CheckResult | TransformerCheckResult);
}

describe("runtime checks", () => {
  it("Node: each case gives its own model and a proper circuit", () => {
    expect(new Set(node.map((r) => r.weightsHash)).size).toBe(CHECK_CASES.length);
    for (const r of node) {
      expect(r.weightsHash).toMatch(/^[0-9a-f]{16}$/);
      expect(r.circuitHash).toMatch(/^[0-9a-f]{16}$/);
      expect(r.edges).toBeGreaterThan(0);
      expect(r.edges).toBeLessThan(r.totalEdges);
    }
  });

  it("Node: each transformer case trains with swaps into its own weights", () => {
    expect(new Set(nodeTx.map((r) => r.weightsHash)).size).toBe(TRANSFORMER_CHECK_CASES.length);
    for (const r of nodeTx) {
      expect(r.weightsHash).toMatch(/^[0-9a-f]{16}$/);
      expect(r.swaps).toBeGreaterThan(0);
      expect(Number.isFinite(r.test)).toBe(true);
    }
  });

  it("Deno (dist/brainwire.js, no permissions) gives byte-identical weights (MLPs and transformers) and the same circuit", async () => {
    const deno = join(root, "node_modules/.bin/deno");
    const { stdout } = await run(deno, ["run", "--no-config", "--no-lock", script], { cwd: root });
    expect(parseLines(stdout)).toEqual([...node, ...nodeTx]);
  });

  const bun = join(root, "node_modules/.bin/bun");
  it.skipIf(!existsSync(bun))("Bun (dist/brainwire.js) gives byte-identical weights and the same circuit", async () => {
    const { stdout } = await run(bun, ["run", script], { cwd: root });
    expect(parseLines(stdout)).toEqual([...node, ...nodeTx]);
  });

  // The README quotes these files; they train CHECK_CASES[0] with the default τ.
  const exampleLine = () => {
    const r = node[0];
    return `weights ${r.weightsHash} circuit ${r.circuitHash} (${r.edges} of ${r.totalEdges} edges)\n`;
  };

  it("examples/node.mjs (import from \"brainwire\": the package's node export) prints Node's hashes", async () => {
    const { stdout } = await run(process.execPath, [join(root, "examples/node.mjs")], { cwd: root });
    expect(stdout).toBe(exampleLine());
  });

  it("examples/deno.ts prints the same hashes", async () => {
    const deno = join(root, "node_modules/.bin/deno");
    const args = ["run", "--no-config", "--no-lock", join(root, "examples/deno.ts")];
    const { stdout } = await run(deno, args, { cwd: root });
    expect(stdout).toBe(exampleLine());
  });

  it("brainwire discover (the CLI) finds the API's circuit for the API's model", async () => {
    const dir = await mkdtemp(join(tmpdir(), "brainwire-"));
    try {
      const { task, mode, seed, steps } = CHECK_CASES[0];
      const { model } = await train({ task: task as TaskName, mode: mode as "bimt", seed, steps });
      await writeFile(join(dir, "model.json"), save(model));
      await run(process.execPath, [join(root, "bin/brainwire.js"), "discover", join(dir, "model.json"),
        "--out", join(dir, "circuit.json"), "--quiet"], { cwd: root });
      const circuit = parseCircuit(await readFile(join(dir, "circuit.json"), "utf8"));
      expect(circuitHash(circuit)).toBe(node[0].circuitHash);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
