// An executor that runs a job table on the calling thread: for a browser page without workers, for
// embedding, and for tests of the layers above. At most `capacity` jobs run at once (they interleave
// only where the run functions yield); the rest wait in order. A running job is cancelled through its
// AbortSignal, which the run function must honour; it cannot be stopped from outside.
import { createEngine } from "../engine/engine.ts";
import { cancelled, JobError, toFailure, type Executor, type JobTable, type RunOptions } from "./types.ts";

export class InlineExecutor implements Executor {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly table: JobTable, readonly capacity = 1) {}

  async run(kind: string, spec: unknown, opts: RunOptions = {}): Promise<unknown> {
    const fn = Object.hasOwn(this.table, kind) ? this.table[kind] : undefined;
    if (!fn) throw new JobError({ name: "UserError", field: "kind", message: `kind: unknown job kind "${kind}"` });
    // A finishing job hands its place straight to the next waiting one, so `running` never exceeds capacity.
    if (this.running < this.capacity) this.running++;
    else {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          opts.signal?.removeEventListener("abort", drop);
          resolve();
        };
        const drop = () => {
          this.waiting.splice(this.waiting.indexOf(go), 1);
          reject(cancelled());
        };
        opts.signal?.addEventListener("abort", drop, { once: true });
        this.waiting.push(go);
      });
    }
    try {
      if (opts.signal?.aborted) throw cancelled();
      opts.onStart?.();
      return await fn(spec as never, { engine: await createEngine(), onProgress: opts.onProgress, signal: opts.signal });
    } catch (err) {
      throw opts.signal?.aborted ? cancelled() : new JobError(toFailure(err));
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  async close(): Promise<void> {}
}
