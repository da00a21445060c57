// Web Worker entry of the pool's workers (bundled to dist/job-worker.web.js, self-contained): the job
// table on the worker's own scope.
import { JOB_TABLE } from "./table.ts";
import { serveJobs } from "./worker-loop.ts";
import type { ToWorker } from "./protocol.ts";

const scope = self as unknown as Worker;
serveJobs(JOB_TABLE, {
  post: (m) => scope.postMessage(m),
  listen: (handler) => scope.addEventListener("message", (ev: MessageEvent<ToWorker>) => handler(ev.data)),
});
