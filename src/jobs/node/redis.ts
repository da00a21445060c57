// Node edge: jobs across machines on Redis, with BullMQ. The producer side (`RedisExecutor`, used by
// `serve --redis` and `study --redis`) adds each job to a BullMQ queue and follows it through the
// queue's event stream; the consumer side (`startRedisWorker`, `brainwire worker --redis`) takes jobs
// from the queue and runs them on its machine's worker pool, so its event loop stays free to renew
// the job locks. A worker that dies mid-job (kill -9) stops renewing its lock; when the lock runs out,
// another worker's stalled-job check puts the job back in the queue and it runs again from its spec:
// the same seed, a fresh engine, so the same bits. Specs and results travel as JSON (wire.ts keeps
// NaN, ±Infinity and -0).
//
// msgpackr (a BullMQ dependency) would load an optional native addon; brainwire uses none, so the
// environment switch that turns it off is set before BullMQ is first imported.
import type { Job, Queue, QueueEvents, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { cancelled, JobError, toFailure, type Executor, type JobFailure, type RunOptions } from "../types.ts";
import { fromWire, toWire } from "../wire.ts";

export const DEFAULT_QUEUE = "brainwire";

/** How long a worker's hold on a job lasts without renewal: how soon a dead worker's job runs again. */
export const DEFAULT_LOCK_MS = 30_000;

interface JobData {
  kind: string;
  spec: unknown;
}

async function loadBullmq() {
  process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED = "true";
  const [bullmq, ioredis] = await Promise.all([import("bullmq"), import("ioredis")]);
  return { ...bullmq, IORedis: ioredis.Redis };
}

/** One connection per BullMQ object (BullMQ's rule); `maxRetriesPerRequest: null` as blocking commands need. */
async function connect(url: string): Promise<Redis> {
  const { IORedis } = await loadBullmq();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--redis: "${url}" is not a URL (redis://host:6379)`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new Error(`--redis: "${url}" is not a redis:// or rediss:// URL`);
  }
  return new IORedis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Rebuilds a failure from BullMQ's failedReason (our workers put the failure there as JSON). */
function parseFailure(reason: string | undefined): JobFailure {
  try {
    const f = JSON.parse(reason ?? "") as JobFailure;
    if (typeof f?.name === "string" && typeof f.message === "string") return f;
  } catch {
    // not ours: BullMQ's own reason, e.g. a job that stalled more often than allowed
  }
  return { name: "WorkerCrash", message: reason || "the job failed on a Redis worker" };
}

export interface RedisExecutorOptions {
  url: string;
  queue?: string;
  /** Finished jobs stay in Redis this long (s) for inspection, then BullMQ removes them (default 1 h). */
  keepSeconds?: number;
}

/** The producer side: jobs go to Redis, whichever worker machine is free runs them. */
export class RedisExecutor implements Executor {
  /** Workers seen on the queue at the last refresh (for Retry-After estimates); at least 1. */
  capacity = 1;
  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly publisher: Redis,
    /** BullMQ leaves connections it was handed open on close(): they are closed here. */
    private readonly connections: Redis[],
    private readonly name: string,
    private readonly keepSeconds: number,
    private readonly JobClass: typeof Job,
  ) {}

  static async open(o: RedisExecutorOptions): Promise<RedisExecutor> {
    const { Queue, QueueEvents, Job } = await loadBullmq();
    const name = o.queue ?? DEFAULT_QUEUE;
    const connections = await Promise.all([connect(o.url), connect(o.url), connect(o.url)]);
    const queue = new Queue(name, { connection: connections[0] });
    const events = new QueueEvents(name, { connection: connections[1] });
    events.setMaxListeners(0); // one listener per event per job in flight
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const ex = new RedisExecutor(queue, events, connections[2], connections, name, o.keepSeconds ?? 3600, Job);
    await ex.refreshCapacity();
    return ex;
  }

  async refreshCapacity(): Promise<number> {
    this.capacity = Math.max(1, await this.queue.getWorkersCount().catch(() => 1));
    return this.capacity;
  }

  async run(kind: string, spec: unknown, opts: RunOptions = {}): Promise<unknown> {
    if (opts.signal?.aborted) throw cancelled();
    const job = await this.queue.add(kind, { kind, spec: toWire(spec) } satisfies JobData, {
      attempts: 1,
      removeOnComplete: { age: this.keepSeconds },
      removeOnFail: { age: this.keepSeconds },
    });
    const id = job.id!;
    // Per-job events ("completed:<id>", …) are emitted by QueueEvents but not in its typed listener map.
    const ev = this.events as unknown as { on(e: string, h: unknown): void; off(e: string, h: unknown): void };
    return new Promise((resolve, reject) => {
      let started = false;
      const handlers = {
        active: () => {
          if (!started) opts.onStart?.();
          started = true;
        },
        progress: (a: { data: unknown }) => opts.onProgress?.(fromWire(a.data)),
        completed: (a: { returnvalue: unknown }) => end(undefined, fromWire(a.returnvalue)),
        failed: (a: { failedReason: string }) => end(new JobError(parseFailure(a.failedReason))),
      };
      const end = (err?: JobError, result?: unknown) => {
        for (const [name, h] of Object.entries(handlers)) ev.off(`${name}:${id}`, h);
        opts.signal?.removeEventListener("abort", onAbort);
        if (err) reject(err);
        else resolve(result);
      };
      const onAbort = () => {
        end(cancelled());
        // A waiting job is removed; a running one is locked, so its worker is asked to stop it.
        void job.remove().catch(() => this.publisher.publish(cancelChannel(this.name), id)).catch(() => undefined);
      };
      for (const [name, h] of Object.entries(handlers)) ev.on(`${name}:${id}`, h);
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      // The job may have ended before the listeners were on: look once.
      void this.JobClass.fromId(this.queue, id).then(async (j) => {
        if (!j) return;
        const state = await j.getState();
        if (state === "active") handlers.active();
        if (state === "completed") handlers.completed({ returnvalue: j.returnvalue });
        if (state === "failed") handlers.failed({ failedReason: j.failedReason });
      }).catch(() => undefined);
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.events.close(), this.queue.close()]);
    for (const c of this.connections) c.disconnect();
  }
}

function cancelChannel(queue: string): string {
  return `${queue}:cancel`;
}

export interface RedisWorkerOptions {
  url: string;
  /** Runs the jobs: this machine's worker pool. */
  pool: Executor;
  queue?: string;
  /** Jobs taken at once (default: the pool's capacity, one per thread). */
  concurrency?: number;
  /** Lock duration in ms (default 30 s); the stalled-job check runs as often. */
  lockMs?: number;
  /** Called when a job starts and ends, for the worker's log. */
  onJob?: (e: { id: string; kind: string; state: "started" | "done" | "failed"; message?: string }) => void;
}

export interface RedisWorker {
  close(): Promise<void>;
}

/** The consumer side: takes jobs from the queue and runs them on `pool` until closed. */
export async function startRedisWorker(o: RedisWorkerOptions): Promise<RedisWorker> {
  const { Worker, UnrecoverableError } = await loadBullmq();
  const name = o.queue ?? DEFAULT_QUEUE;
  const lockMs = o.lockMs ?? DEFAULT_LOCK_MS;
  const [subscriber, connection] = await Promise.all([connect(o.url), connect(o.url)]);
  const worker: Worker = new Worker(name, async (job: Job<JobData>, _token, signal) => {
    const { kind } = job.data;
    o.onJob?.({ id: job.id!, kind, state: "started" });
    let last = 0;
    try {
      const result = await o.pool.run(kind, fromWire(job.data.spec), { signal, onProgress: (p) => {
        const now = Date.now();
        if (now - last < 250) return;
        last = now;
        void job.updateProgress(toWire(p) as object).catch(() => undefined);
      } });
      o.onJob?.({ id: job.id!, kind, state: "done" });
      return toWire(result);
    } catch (err) {
      const failure = toFailure(err);
      o.onJob?.({ id: job.id!, kind, state: "failed", message: failure.message });
      // Failures are the job's answer (bad input gives the same error anywhere): never retried.
      throw new UnrecoverableError(JSON.stringify(failure));
    }
  }, {
    connection,
    concurrency: o.concurrency ?? o.pool.capacity,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    // A job whose worker died twice is likely what kills it; a third stall fails it.
    maxStalledCount: 2,
  });
  worker.on("error", () => undefined); // connection errors: ioredis reconnects by itself
  await worker.waitUntilReady();
  await subscriber.subscribe(cancelChannel(name));
  subscriber.on("message", (_channel, id: string) => worker.cancelJob(id, "cancelled by the client"));
  return {
    close: async () => {
      subscriber.disconnect();
      await worker.close();
      connection.disconnect(); // BullMQ leaves a connection it was handed open
    },
  };
}
