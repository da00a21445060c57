// The zod pieces every run kind's schema is built from, with messages that name the value given.
// Messages never repeat the field: UserError puts it in front ("steps: must be a whole number ≥ 1, got 0").
import { z } from "zod";

/** A value as a user would recognise it in a message. */
export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? "an array" : typeof v;
}

const number = () => z.number({ error: (iss) => `must be a number, got ${describe(iss.input)}` });

export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  number().refine((v) => Number.isInteger(v) && v >= min && v <= max, {
    error: (iss) => `must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min} … ${max}`}, ` +
      `got ${describe(iss.input)}`,
  });

export const positive = () =>
  number().refine((v) => Number.isFinite(v) && v > 0, { error: (iss) => `must be a finite number > 0, got ${describe(iss.input)}` });

export const nonNegative = () =>
  number().refine((v) => Number.isFinite(v) && v >= 0, { error: (iss) => `must be a finite number ≥ 0, got ${describe(iss.input)}` });

/** A fraction in [0, 1]. */
export const unit = () =>
  number().refine((v) => v >= 0 && v <= 1, { error: (iss) => `must be in [0, 1], got ${describe(iss.input)}` });

/** A fraction strictly between 0 and 1. */
export const openUnit = () =>
  number().refine((v) => v > 0 && v < 1, { error: (iss) => `must be in (0, 1), got ${describe(iss.input)}` });

/** Seeds everywhere (flags, bodies, options, a model's meta): whole numbers 0 … 2³² − 1. */
export const SEED_MAX = 0xffffffff;
export const seed = () => wholeNumber(0, SEED_MAX);

export const oneOf = <T extends string>(values: readonly T[]) =>
  z.enum(values as unknown as [T, ...T[]], {
    error: (iss) => `must be one of ${values.join(", ")}, got ${describe(iss.input)}`,
  });

export const bool = () => z.boolean({ error: (iss) => `must be true or false, got ${describe(iss.input)}` });

export const text = () => z.string({ error: (iss) => `must be a string, got ${describe(iss.input)}` });

/**
 * A list given as "a,b,c" (flags) or as an array (bodies, options). Items of a comma list are trimmed;
 * with `numbers`, items that read as numbers become numbers, so the item schema names any that do not.
 */
export function listOf<T extends z.ZodType>(item: T, numbers: boolean) {
  return z.preprocess(
    (v) => (typeof v === "string" ? v.split(",").map((p) => (numbers ? numeric(p.trim()) : p.trim())) : v),
    z.array(item, { error: (iss) => `must be a list, got ${describe(iss.input)}` }),
  );
}

/** A comma-list item meant as a number: its numeric value, or the text (so the item schema names it). */
function numeric(p: string): unknown {
  const v = Number(p);
  return p !== "" && Number.isFinite(v) ? v : p;
}
