// Jobs through Redis with BullMQ: a producer (RedisExecutor) and a worker (startRedisWorker) on a
// throwaway redis-server, the worker running the test job table on a thread pool.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeThreads } from "../../src/jobs/node/threads.ts";
import { RedisExecutor, startRedisWorker, type RedisWorker } from "../../src/jobs/node/redis.ts";
import { WorkerPool } from "../../src/jobs/pool.ts";
import { JobError } from "../../src/jobs/types.ts";
import { bundleEntry } from "../helpers/bundle.ts";
import { startRedis, type TestRedis } from "../helpers/redis.ts";

let redis: TestRedis;
let pool: WorkerPool;
let worker: RedisWorker;
let producer: RedisExecutor;
const events: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const script = await bundleEntry("test/jobs/fixtures/test-worker.ts", "redis-test-worker.js");
  pool = new WorkerPool({ size: 2, spawn: nodeThreads(script) });
  worker = await startRedisWorker({ url: redis.url, pool, onJob: (e) => events.push(`${e.kind} ${e.state}`) });
  producer = await RedisExecutor.open({ url: redis.url });
});

afterAll(async () => {
  await producer?.close();
  await worker?.close();
  await pool?.close();
  await redis?.stop();
});

describe("jobs on Redis", () => {
  it("a job's result comes back as the same bits, NaN, ±Infinity and -0 included", async () => {
    const spec = { x: [-0, NaN, Infinity, -Infinity, 1 / 3, 5e-324], nested: { s: "é", n: null } };
    const r = (await producer.run("echo", spec)) as typeof spec;
    expect(Object.is(r.x[0], -0)).toBe(true);
    expect(r.x[1]).toBeNaN();
    expect(r.x.slice(2)).toEqual([Infinity, -Infinity, 1 / 3, 5e-324]);
    expect(r.nested).toEqual(spec.nested);
    expect(events).toContain("echo done");
  });

  it("BullMQ runs without msgpackr's native addon (no shared object of it is loaded)", () => {
    const report = process.report.getReport() as unknown as { sharedObjects: string[] };
    expect(report.sharedObjects.length).toBeGreaterThan(0);
    expect(report.sharedObjects.filter((o) => /msgpackr|\.node$/.test(o))).toEqual([]);
    expect(process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED).toBe("true");
  });

  it("reports start and progress, and the worker count as capacity", async () => {
    let started = 0;
    const seen: unknown[] = [];
    await producer.run("spin", { ms: 800 }, { onStart: () => started++, onProgress: (p) => seen.push(p) });
    expect(started).toBe(1);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ total: 800 });
    expect(await producer.refreshCapacity()).toBe(1);
  });

  it("a failure keeps its name and field and is not retried", async () => {
    const before = events.filter((e) => e === "fail started").length;
    const err = await producer.run("fail", { field: "model" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).failure).toEqual({ name: "UserError", field: "model", message: "model: wrong on purpose" });
    expect(events.filter((e) => e === "fail started").length).toBe(before + 1);
  });

  it("cancelling a running job stops it on its worker; a waiting one is removed", async () => {
    const a = new AbortController();
    let started = false;
    const running = producer.run("spin", { ms: 60_000 }, { signal: a.signal, onStart: () => (started = true) });
    const t0 = Date.now();
    while (!started && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect(started).toBe(true);
    const replaced = pool.stats.started;
    a.abort();
    await expect(running).rejects.toMatchObject({ failure: { name: "AbortError" } });
    while (pool.stats.started === replaced && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect(pool.stats.started).toBe(replaced + 1); // the thread running it was stopped and replaced
    expect(await producer.run("echo", "next")).toBe("next");
  });
});
