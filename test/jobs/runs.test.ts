// The real job table (src/jobs/table.ts) on worker threads: the same bits as running in-process,
// whatever the pool size.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeThreads } from "../../src/jobs/node/threads.ts";
import { WorkerPool } from "../../src/jobs/pool.ts";
import { withoutTimings } from "../../src/jobs/timings.ts";
import { resolveDiscover, resolveTrain, runDiscovery, runTraining } from "../../src/app/index.ts";
import { bundleEntry } from "../helpers/bundle.ts";

let script: URL;
const pools: WorkerPool[] = [];
beforeAll(async () => {
  script = await bundleEntry("src/jobs/node/thread-entry.ts", "runs-test-worker.js");
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});
const pool = (size: number) => {
  const p = new WorkerPool({ size, spawn: nodeThreads(script) });
  pools.push(p);
  return p;
};

describe("the job table on a worker pool", () => {
  it("train and discover jobs give the in-process bits", async () => {
    const p = pool(2);
    const spec = resolveTrain({ task: "two-moons", mode: "bimt", seed: 3, steps: 300 });
    const [viaPool, local] = await Promise.all([p.run("train", spec), runTraining(spec)]);
    const t = viaPool as typeof local;
    expect(t.weightsHash).toBe(local.weightsHash);
    expect(JSON.stringify(withoutTimings(t))).toBe(JSON.stringify(withoutTimings(local)));
    const found = resolveDiscover({ model: t.model, tau: 1e-3 });
    const d = (await p.run("discover", found)) as Awaited<ReturnType<typeof runDiscovery>>;
    const want = await runDiscovery(found);
    expect(d.circuitHash).toBe(want.circuitHash);
    expect(d.edges).toBe(want.edges);
    expect(d.edges).toBeGreaterThan(0);
  });

  it("a run that fails in its worker fails its job with the app's error, not a crash", async () => {
    const p = pool(1);
    // resolved, then broken: a spec from a queue is not trusted to be what resolveTrain gives
    const spec = { ...resolveTrain({ task: "two-moons", steps: 10 }), task: "no-such-task" };
    await expect(p.run("train", spec)).rejects.toMatchObject({ failure: { name: "UserError",
      message: expect.stringMatching(/no-such-task/) } });
    expect(p.stats.started).toBe(1);
  });
});
