// The pool on Web Workers (src/jobs/web-workers.ts with dist/job-worker.web.js) under Deno and Bun:
// the same training bits as Node in-process, and a cancelled worker replaced.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { resolveTrain, runTraining } from "../../src/app/index.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const script = join(root, "test/jobs/fixtures/web-pool.ts");
const spec = resolveTrain({ task: "two-moons", mode: "bimt", seed: 3, steps: 300 });

async function expectPoolWorks(stdout: string): Promise<void> {
  const want = await runTraining(spec);
  expect(JSON.parse(stdout)).toEqual({ hashes: [want.weightsHash, want.weightsHash, want.weightsHash],
    cancelled: "AbortError", started: 3 });
}

describe("the worker pool on Web Workers", () => {
  it("Deno", async () => {
    const deno = join(root, "node_modules/.bin/deno");
    const { stdout } = await run(deno, ["run", "--no-config", "--no-lock", "--allow-read", script, JSON.stringify(spec)], { cwd: root,
      timeout: 60_000 });
    await expectPoolWorks(stdout);
  });

  it("Bun", async () => {
    const { stdout } = await run(join(root, "node_modules/.bin/bun"), ["run", script, JSON.stringify(spec)], { cwd: root, timeout: 60_000 });
    await expectPoolWorks(stdout);
  });
});
