// The worker side of the pool, for any runtime: listens on a port, runs each job of the job table with
// a fresh engine, forwards progress (at most one message per `progressMs`), answers with the result
// or the failure as plain data. The runtime's worker entry (node/thread-entry.ts, web-entry.ts) only
// wires its port to this.
import { createEngine } from "../engine/engine.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";
import { toFailure, type JobTable } from "./types.ts";

export interface WorkerPort {
  post(message: FromWorker): void;
  listen(handler: (message: ToWorker) => void): void;
}

export interface ServeOptions {
  /** Least time between two progress messages of a job, ms (default 100). */
  progressMs?: number;
  /** The runtime's JS heap probe, handed to each job (RunContext.heapBytes). */
  heapBytes?: () => number;
}

export function serveJobs(table: JobTable, port: WorkerPort, opts: ServeOptions = {}): void {
  const progressMs = opts.progressMs ?? 100;
  // One job at a time; the pool never sends a second before the first answered, but queue to be safe.
  let chain: Promise<void> = Promise.resolve();
  port.listen((m) => {
    if (m.type !== "run") return;
    chain = chain.then(() => runOne(m.id, m.kind, m.spec));
  });
  port.post({ type: "ready" });

  async function runOne(id: number, kind: string, spec: unknown): Promise<void> {
    const run = Object.hasOwn(table, kind) ? table[kind] : undefined;
    if (!run) {
      port.post({ type: "failed", id, failure: { name: "UserError", field: "kind",
        message: `kind: unknown job kind "${kind}" (known: ${Object.keys(table).join(", ")})` } });
      return;
    }
    // A fresh engine per job: results cannot depend on what ran before on this worker, and its memory
    // goes when the job ends (linear memory never shrinks, so a reused engine would keep its peak).
    const engine = await createEngine();
    let last = -Infinity;
    const onProgress = (progress: unknown) => {
      const now = performance.now();
      if (now - last < progressMs) return;
      last = now;
      port.post({ type: "progress", id, progress, wasmBytes: engine.memoryStats.linearMemory });
    };
    try {
      const result = await run(spec as never, { engine, onProgress, heapBytes: opts.heapBytes });
      port.post({ type: "done", id, result });
    } catch (err) {
      port.post({ type: "failed", id, failure: toFailure(err) });
    }
  }
}
