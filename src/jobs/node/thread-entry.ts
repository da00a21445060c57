// Node worker_threads entry of the pool's workers (bundled to dist/job-worker.js): the job table on
// the thread's parent port.
import { parentPort } from "node:worker_threads";
import { JOB_TABLE } from "../table.ts";
import { serveJobs } from "../worker-loop.ts";

const port = parentPort;
if (!port) throw new Error("job-worker.js runs as a worker thread (new Worker(...)), not as a script");
serveJobs(JOB_TABLE, { post: (m) => port.postMessage(m), listen: (handler) => port.on("message", handler) },
  { heapBytes: () => process.memoryUsage().heapUsed }); // per thread: each worker has its own heap
