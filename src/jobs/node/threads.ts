// Node edge: the pool's workers as worker_threads. The script is a bundled worker entry (dist/job-worker.js,
// built from node/thread-entry.ts), so no TypeScript loader is needed in the thread.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { FromWorker } from "../protocol.ts";
import { WorkerPool, type SpawnWorker } from "../pool.ts";

export function nodeThreads(script: string | URL): SpawnWorker {
  return () => {
    const worker = new Worker(script);
    let exited = false;
    return {
      postMessage: (m) => worker.postMessage(m),
      onMessage: (handler) => worker.on("message", (m: FromWorker) => handler(m)),
      onExit: (handler) => {
        const once = (why: string) => {
          if (!exited) handler(why);
          exited = true;
        };
        worker.on("error", (err) => once(err.message));
        worker.on("exit", (code) => once(`it exited with code ${code}`));
      },
      terminate: async () => {
        exited = true;
        await worker.terminate();
      },
    };
  };
}

/** The machine's cores as Node sees them (what `--workers` defaults to). */
export function cores(): number {
  return availableParallelism();
}

/** A pool of worker_threads running `script`; `size` defaults to the number of cores. */
export function nodePool(script: string | URL, size = cores()): WorkerPool {
  return new WorkerPool({ size, spawn: nodeThreads(script) });
}
