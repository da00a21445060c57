// The HTTP face: a Hono app that runs unchanged under Node (server/node.ts), Deno (server/deno.ts) and
// Bun, and in tests through app.request(). It serves the page and a small JSON API over the app layer
// (src/app): a body is resolved once into a run spec by the same resolver every face uses, then run.
// Every failure leaves as {"error": "<field>: <message>", "field"?: "<field>"} with a 4xx status: a
// user's mistake is a UserError (400, or 413 for a body over the limit); anything else is a bug (500).
//
//   GET  /               the page (dist/web/index.html, handed in by the runtime entry)
//   GET  /v1/tasks       tasks, modes, methods, ablations and metrics
//   POST /v1/train       the train options (task, mode, seed, steps, lr, shape, lambda, …, data)
//                        → {model, weightsHash, metrics, …}
//   POST /v1/discover    {model, method?, tau?, ablation?, metric?, task?, seed?, pairs?, data?, …}
//                        → {circuit, circuitHash, …}
//
// Training and discovery run on the request's turn of the event loop (they are synchronous WASM calls),
// which is why `steps` is capped: this server is for a local page and small jobs, not a shared service.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  DEFAULT_MEMORY_BUDGET,
  resolveDiscover,
  resolveTrain,
  runDiscovery,
  runTraining,
  UserError,
} from "../src/app/index.ts";
import { createEngine, type Engine } from "../src/exports/engine.ts";
import { ABLATIONS, FAST_TASKS, getTask, METHODS, METRICS, MODES, TASKS as taskNames } from "../src/index.ts";

/** The one way a request fails: a status and a message for the client. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    /** The body field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface AppOptions {
  /** The page's HTML; the runtime entry reads it (dist/web/index.html). Without it, / says how to build it. */
  page?: string;
  /** Largest `steps` a training request may ask for (default 20,000). */
  maxSteps?: number;
  /** Request body limit in bytes (default 4 MiB: a trained modular-addition model is ~0.2 MiB of JSON). */
  maxBodyBytes?: number;
  /** Bytes a request's run may need (default the app layer's budget, 2 GiB). */
  memoryBudget?: number;
}

export function createApp(opts: AppOptions = {}): Hono {
  const maxSteps = opts.maxSteps ?? 20_000;
  const maxBodyBytes = opts.maxBodyBytes ?? 4 << 20;
  const limits = { maxSteps, memoryBudget: opts.memoryBudget ?? DEFAULT_MEMORY_BUDGET };
  let engine: Promise<Engine> | undefined;
  const getEngine = () => (engine ??= createEngine());
  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) => errorResponse(c, new HttpError(413, `request body over the limit of ${maxBodyBytes} bytes`)),
  });

  const app = new Hono();

  app.get("/", (c) => {
    if (opts.page === undefined) {
      throw new HttpError(404, "the page is not built: run `npm run build` (it writes dist/web/index.html)");
    }
    return c.html(opts.page);
  });

  app.get("/v1/tasks", (c) => c.json({
    tasks: taskNames.map((name) => {
      const t = getTask(name);
      return {
        name,
        description: t.description,
        kind: t.settings.loss === "mse" ? "regression" : "classification",
        steps: t.settings.steps,
        shape: t.settings.model.shape,
        fast: (FAST_TASKS as readonly string[]).includes(name),
      };
    }),
    modes: MODES,
    methods: METHODS,
    ablations: ABLATIONS,
    metrics: METRICS,
    maxSteps,
  }));

  app.post("/v1/train", limit, async (c) => {
    const spec = resolveTrain(await jsonBody(c), limits);
    const r = await runTraining(spec, { engine: await getEngine() });
    return c.json({ model: r.model, weightsHash: r.weightsHash, metrics: r.metrics, steps: r.steps, swaps: r.swaps,
      wallMs: r.wallMs });
  });

  app.post("/v1/discover", limit, async (c) => {
    const spec = resolveDiscover(await jsonBody(c), limits);
    const d = await runDiscovery(spec, { engine: await getEngine() });
    return c.json({ circuit: d.circuit, circuitHash: d.circuitHash, edges: d.edges, totalEdges: d.totalEdges,
      metric: d.metric, metricValue: d.metricValue, evaluations: d.evaluations, ms: d.ms, heldOut: d.heldOut,
      sweep: d.sweep });
  });

  app.notFound((c) => errorResponse(c, new HttpError(404, `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => errorResponse(c, toHttpError(err)));
  return app;
}

function errorResponse(c: Context, err: HttpError): Response {
  return c.json(err.field === undefined ? { error: err.message } : { error: err.message, field: err.field }, err.status);
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof UserError) {
    // The app layer's "(options)" is the body as a whole.
    const field = err.field === "(options)" ? "body" : err.field;
    return new HttpError(400, `${field}: ${err.problem}`, field);
  }
  return new HttpError(500, err instanceof Error ? err.message : String(err));
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw new HttpError(400, "the request body is empty: send a JSON object");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "the request body must be a JSON object");
  }
  return body;
}
