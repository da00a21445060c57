// The HTTP face: a Hono app that runs unchanged under Node (server/node.ts), Deno (server/deno.ts) and
// Bun, and in tests through app.request(). It serves the page and a small JSON API over the public API
// (src/index.ts) only. Each route parses its body once against a schema, then calls one typed function;
// every failure leaves as {"error": "<message>"} with a 4xx/5xx status (HttpError).
//
//   GET  /               the page (dist/web/index.html, handed in by the runtime entry)
//   GET  /v1/tasks       tasks, modes, ablations and metrics
//   POST /v1/train       {task, mode, seed?, steps?}                  → {model, weightsHash, metrics, …}
//   POST /v1/discover    {model, method?, tau?, ablation?, metric?, task?, seed?} → {circuit, circuitHash, …}
//
// Training and discovery run on the request's turn of the event loop (they are synchronous WASM calls),
// which is why `steps` is capped: this server is for a local page and small jobs, not a shared service.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import {
  ABLATIONS,
  CircuitFormatError,
  createEngine,
  discoverModel,
  FAST_TASKS,
  getTask,
  METHODS,
  METRICS,
  ModelFormatError,
  MODES,
  taskNames,
  trainModel,
  validateSnapshot,
  type Engine,
  type ModelSnapshot,
} from "../src/index.ts";

/** The one way a request fails: a status and a message for the client. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
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
}

const seed = z.number().int("must be a whole number").min(0, "must be ≥ 0").max(0xffffffff, "must be < 2^32");

function schemas(maxSteps: number) {
  const task = z.enum(taskNames as [string, ...string[]], { error: `must be one of ${taskNames.join(", ")}` });
  return {
    train: z.strictObject({
      task,
      mode: z.enum(MODES, { error: `must be one of ${MODES.join(", ")}` }),
      seed: seed.default(0),
      steps: z.number().int("must be a whole number").min(1, "must be ≥ 1")
        .max(maxSteps, `must be ≤ ${maxSteps} on this server`).optional(),
    }),
    discover: z.strictObject({
      model: z.unknown().refine((v) => v !== undefined, "required (a model as returned by /v1/train)"),
      method: z.enum(METHODS, { error: `must be one of ${METHODS.join(", ")}` }).default("acdc"),
      /** Default DEFAULT_TAU for the task's kind. */
      tau: z.number().positive("must be > 0").refine(Number.isFinite, "must be finite").optional(),
      ablation: z.enum(ABLATIONS, { error: `must be one of ${ABLATIONS.join(", ")}` }).default("resample"),
      metric: z.enum(METRICS, { error: `must be one of ${METRICS.join(", ")}` }).optional(),
      /** The task whose data the model was trained on; default model.meta.task. */
      task: task.optional(),
      /** The data seed; default model.meta.seed. */
      seed: seed.optional(),
    }),
  };
}

export function createApp(opts: AppOptions = {}): Hono {
  const maxSteps = opts.maxSteps ?? 20_000;
  const maxBodyBytes = opts.maxBodyBytes ?? 4 << 20;
  const req = schemas(maxSteps);
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
    const body = parse(req.train, await jsonBody(c));
    const r = await trainModel({ ...body, engine: await getEngine() });
    return c.json({ model: r.snapshot, weightsHash: r.weightsHash, metrics: r.metrics, steps: r.steps, swaps: r.swaps,
      wallMs: r.wallMs });
  });

  app.post("/v1/discover", limit, async (c) => {
    const body = parse(req.discover, await jsonBody(c));
    const snapshot = validateSnapshot(body.model);
    const meta = snapshot.meta ?? {};
    const taskName = body.task ?? (typeof meta.task === "string" ? meta.task : undefined);
    if (taskName === undefined) throw new HttpError(400, "task: required when the model's meta has no task");
    const dataSeed = body.seed ?? (typeof meta.seed === "number" ? meta.seed : undefined);
    if (dataSeed === undefined) throw new HttpError(400, "seed: required when the model's meta has no seed");
    checkFits(snapshot, taskName);
    const d = await discoverModel(snapshot, { method: body.method, tau: body.tau, ablation: body.ablation,
      metric: body.metric, task: taskName, seed: dataSeed, engine: await getEngine() });
    return c.json({ circuit: d.circuit, circuitHash: d.circuitHash, edges: d.edges, totalEdges: d.totalEdges,
      metric: d.metric, metricValue: d.metricValue, evaluations: d.evaluations, ms: d.ms });
  });

  app.notFound((c) => errorResponse(c, new HttpError(404, `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => errorResponse(c, toHttpError(err)));
  return app;
}

function errorResponse(c: Context, err: HttpError): Response {
  return c.json({ error: err.message }, err.status);
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ModelFormatError || err instanceof CircuitFormatError) return new HttpError(400, err.message);
  return new HttpError(500, err instanceof Error ? err.message : String(err));
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw new HttpError(400, "the request body is empty: send a JSON object");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(400, "the request body must be a JSON object");
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const where = i.path.length ? i.path.map(String).join(".") : "body";
    return i.code === "unrecognized_keys"
      ? `${where}: unknown field(s) ${i.keys.join(", ")}`
      : `${where}: ${i.message}`;
  });
  const more = issues.length > 3 ? `; and ${issues.length - 3} more` : "";
  throw new HttpError(400, issues.slice(0, 3).join("; ") + more);
}

/** The model must have the task's input and output sizes (hidden sizes may differ). */
function checkFits(s: ModelSnapshot, taskName: string): void {
  const want = getTask(taskName).settings.model;
  const [have0, haveOut] = [s.spec.shape[0], s.spec.shape[s.spec.shape.length - 1]];
  const [want0, wantOut] = [want.shape[0], want.shape[want.shape.length - 1]];
  if (have0 !== want0 || haveOut !== wantOut || !s.spec.embed !== !want.embed || s.spec.inFold !== want.inFold) {
    throw new HttpError(400, `model: shape [${s.spec.shape}] does not fit task ${taskName} ` +
      `(input ${want0}, output ${wantOut}${want.embed ? ", token embedding" : ""})`);
  }
}
