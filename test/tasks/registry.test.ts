import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { getTask, taskNames, tasks } from "../../src/tasks/index.ts";
import type { Dataset } from "../../src/tasks/types.ts";

const srcDir = join(import.meta.dirname, "../../src/tasks");

describe("task registry", () => {
  it("holds the seven reference tasks by name", () => {
    expect(taskNames).toEqual([
      "symbolic-independence",
      "symbolic-sharing",
      "symbolic-composition",
      "two-moons",
      "modular-addition",
      "permutation-s4",
      "mnist",
    ]);
    for (const name of taskNames) {
      expect(getTask(name)).toBe(tasks[name]);
      expect(tasks[name].name).toBe(name);
      expect(tasks[name].description.length).toBeGreaterThan(10);
    }
  });

  it("an unknown name is an error listing the valid names", () => {
    expect(() => getTask("moons"))
      .toThrow('unknown task "moons"; the tasks are: symbolic-independence, symbolic-sharing');
    expect(() => getTask("toString")).toThrow(/unknown task "toString"/);
  });

  it("settings are consistent with the data each task makes", async () => {
    const engine = createEngineSync();
    for (const name of taskNames.filter((n) => n !== "mnist")) {
      const task = tasks[name];
      const d = (await task.make(engine, 0)) as Dataset;
      const { shape, inFold, embed } = task.settings.model;
      const dIn = embed ? d.inputDim * embed.dim : d.inputDim;
      expect(shape[0], name).toBe(dIn);
      expect(inFold, name).toBe(embed ? d.inputDim : 1);
      expect(shape.at(-1), name).toBe(d.outputDim);
      expect(embed?.tokens, name).toBe(d.tokens);
      expect(task.settings.loss === "mse", name).toBe(d.kind === "regression");
      expect(task.settings.lambda[0].from, name).toBe(0);
      for (let i = 1; i < task.settings.lambda.length; i++) {
        expect(task.settings.lambda[i].from, name).toBeGreaterThan(task.settings.lambda[i - 1].from);
      }
    }
  });

  it("the core stays runtime-agnostic: only node-files.ts imports node:, nothing imports mnist statically", () => {
    for (const file of readdirSync(srcDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))) {
      const text = readFileSync(join(srcDir, file), "utf8");
      const imports = [...text.matchAll(/^import\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]);
      if (file !== "node-files.ts") expect(imports.filter((i) => i.startsWith("node:")), file).toEqual([]);
      expect(imports, file).not.toContain("mnist");
    }
  });
});
