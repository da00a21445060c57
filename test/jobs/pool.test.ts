// The worker pool on Node worker_threads, with the test job table (fixtures/test-table.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeThreads } from "../../src/jobs/node/threads.ts";
import { WorkerPool } from "../../src/jobs/pool.ts";
import { JobError } from "../../src/jobs/types.ts";
import { bundleEntry } from "../helpers/bundle.ts";

let script: URL;
beforeAll(async () => {
  script = await bundleEntry("test/jobs/fixtures/test-worker.ts", "pool-test-worker.js");
});

const pools: WorkerPool[] = [];
function pool(size: number): WorkerPool {
  const p = new WorkerPool({ size, spawn: nodeThreads(script) });
  pools.push(p);
  return p;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

async function failure(p: Promise<unknown>): Promise<JobError["failure"]> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(JobError);
    return (err as JobError).failure;
  }
  throw new Error("expected the job to fail");
}

const until = async (cond: () => boolean, what: string, ms = 20_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("WorkerPool", () => {
  it("returns the job's result as the same bits (structured clone, not JSON)", async () => {
    const p = pool(1);
    const spec = { x: [-0, NaN, 1 / 3, Number.MIN_VALUE], f: new Float32Array([0.1, -2.5]), s: "é" };
    const r = (await p.run("echo", spec)) as typeof spec;
    expect(Object.is(r.x[0], -0)).toBe(true);
    expect(r.x[1]).toBeNaN();
    expect(r.x.slice(2)).toEqual(spec.x.slice(2));
    expect(r.f).toBeInstanceOf(Float32Array);
    expect([...r.f]).toEqual([...spec.f]);
    expect(r.s).toBe("é");
  });

  it("runs as many jobs at once as it has workers, the rest wait in order", async () => {
    const p = pool(2);
    await p.whenReady();
    const started: number[] = [];
    const jobs = [0, 1, 2].map((i) => p.run("spin", { ms: 300 }, { onStart: () => started.push(i) }));
    expect(started).toEqual([0, 1]);
    expect(p.stats).toMatchObject({ size: 2, busy: 2, queued: 1 });
    await jobs[0];
    await until(() => started.length === 3, "the third job to start");
    expect(started).toEqual([0, 1, 2]);
    await Promise.all(jobs);
    expect(p.stats).toMatchObject({ busy: 0, queued: 0, started: 2 });
  });

  it("forwards progress", async () => {
    const p = pool(1);
    const seen: unknown[] = [];
    await p.run("spin", { ms: 120 }, { onProgress: (x) => seen.push(x) });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen[0]).toMatchObject({ total: 120 });
  });

  it("a failing job keeps its error's name and field; an unknown kind names the field", async () => {
    const p = pool(1);
    expect(await failure(p.run("fail", { field: "tau" }))).toEqual({ name: "UserError", field: "tau",
      message: "tau: wrong on purpose" });
    expect(await failure(p.run("nope", {}))).toMatchObject({ name: "UserError", field: "kind",
      message: expect.stringMatching(/unknown job kind "nope".*echo, spin/) });
    expect(p.stats.started).toBe(1); // failures are answers, not crashes
  });

  it("a worker that dies fails its job, is replaced, and the next job runs", async () => {
    const p = pool(1);
    await p.whenReady();
    expect(await failure(p.run("crash", {}))).toMatchObject({ name: "WorkerCrash",
      message: expect.stringMatching(/died: boom/) });
    expect(await p.run("echo", 7)).toBe(7);
    expect(p.stats.started).toBe(2);
  });

  it("cancelling a running job stops its worker and starts a fresh one; a queued job is dropped unstarted", async () => {
    const p = pool(1);
    await p.whenReady();
    const running = new AbortController();
    const queued = new AbortController();
    let progressed = false;
    let queuedStarted = false;
    const a = p.run("spin", { ms: 60_000 }, { signal: running.signal, onProgress: () => (progressed = true) });
    const b = p.run("spin", { ms: 60_000 }, { signal: queued.signal, onStart: () => (queuedStarted = true) });
    await until(() => progressed, "the first job to report progress");
    queued.abort();
    expect(await failure(b)).toMatchObject({ name: "AbortError" });
    running.abort();
    expect(await failure(a)).toMatchObject({ name: "AbortError" });
    expect(queuedStarted).toBe(false);
    expect(p.stats.started).toBe(2);
    expect(await p.run("echo", "after")).toBe("after");
  });

  it("a cancelled worker's WASM memory is freed: the process shrinks back, the new worker holds none", async () => {
    const p = pool(1);
    await p.whenReady();
    const mib = 384;
    const rss = () => process.memoryUsage.rss() / 2 ** 20;
    const before = rss();
    const ac = new AbortController();
    const job = p.run("grow", { mib, ms: 60_000 }, { signal: ac.signal });
    await until(() => p.stats.workers[0].wasmBytes >= mib * 2 ** 20, "the job's engine to grow");
    const during = rss();
    expect(during - before).toBeGreaterThan(mib * 0.8);
    ac.abort();
    await failure(job);
    await p.whenReady();
    await until(() => rss() - before < mib * 0.25, `rss to drop back (now ${rss().toFixed(0)} MiB, ` +
      `before ${before.toFixed(0)}, during ${during.toFixed(0)})`, 10_000);
    expect(p.stats.workers[0]).toMatchObject({ serial: 2, ready: true, wasmBytes: 0 });
  });

  it("gives up with a clear error when workers cannot start", async () => {
    const p = new WorkerPool({ size: 1, spawn: nodeThreads(new URL("file:///nonexistent/worker.js")) });
    pools.push(p);
    expect(await failure(p.run("echo", 1))).toMatchObject({ name: "WorkerCrash",
      message: expect.stringMatching(/fail to start \(3 in a row\)/) });
    expect(await failure(p.run("echo", 2))).toMatchObject({ name: "WorkerCrash" });
  });
});
