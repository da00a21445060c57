// Every mistake a user can make leaves the app layer as a UserError: the field it concerns (a key of
// the run's raw input, e.g. "steps", "settings.shape", "model", "data") and what is wrong with it, in
// words that name the value. Each face renders the field its own way: the CLI as a flag (--steps) and
// exit code 2, the server as a 400/422 with the field in the body, the library as this error.
import type { z } from "zod";
import { CircuitFormatError } from "../circuits/circuit-io.ts";
import { ModelFormatError } from "../model/io.ts";

export class UserError extends Error {
  override name = "UserError";
  /** What is wrong, without the field (message is "<field>: <problem>"). */
  readonly problem: string;

  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.problem = problem;
  }
}

/** zod issues as one UserError: the first issue's field, and up to three problems in the message. */
export function fromZod(error: z.ZodError, prefix = ""): UserError {
  const shown = error.issues.slice(0, 3).map((i) => {
    const field = fieldOf(prefix, i.path);
    return i.code === "unrecognized_keys"
      ? { field: field || "(options)", problem: `unknown option(s) ${i.keys.join(", ")}` }
      : { field: field || "(options)", problem: i.message };
  });
  const more = error.issues.length > 3 ? `; and ${error.issues.length - 3} more` : "";
  const [first, ...rest] = shown;
  const tail = rest.map((s) => `; ${s.field}: ${s.problem}`).join("");
  return new UserError(first.field, first.problem + tail + more);
}

function fieldOf(prefix: string, path: PropertyKey[]): string {
  const parts = path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 || prefix ? "." : ""}${String(p)}`));
  return prefix + parts.join("");
}

/**
 * Turns the format errors of the lower layers (a model or circuit file that cannot be used) into the
 * UserError of the field that carried it; anything else is returned unchanged.
 */
export function asUserError(err: unknown, field: string): unknown {
  if (err instanceof ModelFormatError || err instanceof CircuitFormatError) return new UserError(field, err.message);
  return err;
}

/** Runs `f`; a lower layer's plain Error about a user value becomes a UserError of `field`. */
export function blame<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof UserError) throw err;
    if (err instanceof Error) throw new UserError(field, err.message);
    throw err;
  }
}
