// The pool's workers as Web Workers (Deno, Bun, browsers): module workers running the bundled web
// entry (dist/job-worker.web.js, built from web-entry.ts). Uses only the Worker global.
import type { FromWorker } from "./protocol.ts";
import type { SpawnWorker } from "./pool.ts";

export function webWorkers(script: string | URL): SpawnWorker {
  return () => {
    const worker = new Worker(script, { type: "module" });
    let exited = false;
    let onExit: ((why: string) => void) | undefined;
    const die = (why: string) => {
      if (exited) return;
      exited = true;
      worker.terminate();
      onExit?.(why);
    };
    worker.addEventListener("error", (ev) => {
      ev.preventDefault();
      die(ev.message || "an uncaught error in the worker");
    });
    worker.addEventListener("messageerror", () => die("a message from the worker could not be read"));
    return {
      postMessage: (m) => worker.postMessage(m),
      onMessage: (handler) => worker.addEventListener("message", (ev: MessageEvent<FromWorker>) => handler(ev.data)),
      onExit: (handler) => {
        onExit = handler;
      },
      terminate: async () => {
        exited = true;
        worker.terminate();
      },
    };
  };
}
