// The job manager over a real worker pool (test job table): states, progress, the bounded queue, the
// time budget, cancel, retention and listeners.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InlineExecutor } from "../../src/jobs/inline.ts";
import { JobManager, QueueFullError, type JobEvent } from "../../src/jobs/manager.ts";
import { nodeThreads } from "../../src/jobs/node/threads.ts";
import { WorkerPool } from "../../src/jobs/pool.ts";
import { bundleEntry } from "../helpers/bundle.ts";
import { TEST_TABLE } from "./fixtures/test-table.ts";

let script: URL;
const pools: WorkerPool[] = [];
beforeAll(async () => {
  script = await bundleEntry("test/jobs/fixtures/test-worker.ts", "manager-test-worker.js");
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

async function poolOf(size: number): Promise<WorkerPool> {
  const p = new WorkerPool({ size, spawn: nodeThreads(script) });
  pools.push(p);
  await p.whenReady();
  return p;
}

describe("JobManager", () => {
  it("a job goes queued → running → succeeded, with progress, its result and an expiry", async () => {
    const m = new JobManager({ executor: await poolOf(1) });
    const events: JobEvent[] = [];
    const first = m.submit("spin", { ms: 100 });
    expect(first).toMatchObject({ kind: "spin", state: "running", budgetMs: 600_000 }); // a worker was free
    const job = m.submit("spin", { ms: 150 });
    expect(job.state).toBe("queued");
    m.subscribe(job.id, (e) => events.push(e));
    const done = await m.wait(job.id);
    expect(done).toMatchObject({ state: "succeeded", result: { turns: true } });
    expect(Date.parse(done!.expiresAt!) - Date.parse(done!.finishedAt!)).toBe(15 * 60_000);
    expect(events[0]).toMatchObject({ type: "state", job: { state: "running" } });
    expect(events.filter((e) => e.type === "progress").length).toBeGreaterThan(2);
    expect(events.at(-1)).toMatchObject({ type: "end", job: { state: "succeeded" } });
    expect(m.get(job.id)).toMatchObject({ state: "succeeded", progress: { total: 150 } });
    expect(m.listenerCount).toBe(0);
  });

  it("refuses past maxQueued waiting jobs, with a Retry-After estimate", async () => {
    const m = new JobManager({ executor: await poolOf(1), maxQueued: 2 });
    const a = m.submit("spin", { ms: 5_000 });
    await new Promise((r) => setTimeout(r, 50)); // a starts; b and c wait
    const b = m.submit("spin", { ms: 5_000 });
    const c = m.submit("spin", { ms: 5_000 });
    expect(m.stats).toMatchObject({ queued: 2, running: 1 });
    let err: unknown;
    try {
      m.submit("spin", { ms: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueueFullError);
    expect((err as QueueFullError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((err as Error).message).toMatch(/queue is full \(2 waiting\)/);
    for (const j of [c, b, a]) m.cancel(j.id);
    await Promise.all([a, b, c].map((j) => m.wait(j.id)));
    expect(m.get(b.id)).toMatchObject({ state: "cancelled", error: { name: "AbortError" } });
    expect(m.get(b.id)!.startedAt).toBeUndefined();
  });

  it("stops a job over its time budget: failed, TimeoutError, and the pool gets a fresh worker", async () => {
    const pool = await poolOf(1);
    const m = new JobManager({ executor: pool });
    const job = m.submit("spin", { ms: 60_000 }, { budgetMs: 300 });
    const done = await m.wait(job.id);
    expect(done).toMatchObject({ state: "failed", error: { name: "TimeoutError",
      message: "the job ran over its time budget of 0.3 s and was stopped" } });
    expect(pool.stats.started).toBe(2);
    expect((await m.wait(m.submit("echo", 1).id))!.result).toBe(1);
  });

  it("cancel: a running job ends cancelled; a finished one is left alone; an unknown id is undefined", async () => {
    const m = new JobManager({ executor: await poolOf(1) });
    const job = m.submit("spin", { ms: 60_000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(m.get(job.id)!.state).toBe("running");
    m.cancel(job.id);
    expect(await m.wait(job.id)).toMatchObject({ state: "cancelled", error: { message: "cancelled by request" } });
    const ok = m.submit("echo", "x");
    await m.wait(ok.id);
    expect(m.cancel(ok.id)).toMatchObject({ state: "succeeded", result: "x" });
    expect(m.cancel("no-such-id")).toBeUndefined();
    expect(m.subscribe("no-such-id", () => undefined)).toBeUndefined();
  });

  it("a failed job keeps its error's name and field", async () => {
    const m = new JobManager({ executor: await poolOf(1) });
    const job = m.submit("fail", { field: "tau" });
    expect(await m.wait(job.id)).toMatchObject({ state: "failed",
      error: { name: "UserError", field: "tau", message: "tau: wrong on purpose" } });
  });

  it("forgets a finished job after retainMs, and the oldest beyond maxRetained", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const m = new JobManager({ executor: new InlineExecutor(TEST_TABLE), retainMs: 60_000, maxRetained: 2,
      now: () => now });
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const j = m.submit("echo", i);
      await m.wait(j.id);
      ids.push(j.id);
    }
    expect(m.get(ids[0])).toBeUndefined(); // over maxRetained
    expect(m.get(ids[1])).toMatchObject({ result: 1, expiresAt: "2026-01-01T00:01:00.000Z" });
    now += 59_999;
    expect(m.get(ids[2])).toBeDefined();
    now += 1;
    expect(m.get(ids[1])).toBeUndefined();
    expect(m.get(ids[2])).toBeUndefined();
  });

  it("a subscriber to a finished job gets its end at once; unsubscribe drops a listener", async () => {
    const m = new JobManager({ executor: new InlineExecutor(TEST_TABLE) });
    const j = m.submit("echo", 5);
    await m.wait(j.id);
    const got: JobEvent[] = [];
    m.subscribe(j.id, (e) => got.push(e));
    expect(got).toEqual([{ type: "end", job: expect.objectContaining({ state: "succeeded", result: 5 }) }]);
    const pool = await poolOf(1);
    const m2 = new JobManager({ executor: pool });
    const long = m2.submit("spin", { ms: 60_000 });
    const off = m2.subscribe(long.id, () => undefined)!;
    m2.subscribe(long.id, () => {
      throw new Error("a broken stream");
    });
    expect(m2.listenerCount).toBe(2);
    off();
    await new Promise((r) => setTimeout(r, 100)); // progress reaches the broken listener, which is dropped
    expect(m2.listenerCount).toBe(0);
    m2.cancel(long.id);
    await m2.wait(long.id);
  });

  it("host kinds fan out to the executor and run on the host at once", async () => {
    const m = new JobManager({
      executor: await poolOf(2),
      hostKinds: {
        pair: async (spec, { executor, signal }) =>
          Promise.all([executor.run("echo", spec, { signal }), executor.run("echo", [spec], { signal })]),
      },
    });
    const j = m.submit("pair", "p");
    expect(m.get(j.id)!.state).toBe("running");
    expect((await m.wait(j.id))!.result).toEqual(["p", ["p"]]);
  });
});
