// Plain JSON loses some numbers: NaN and ±Infinity become null, -0 becomes 0. Jobs that cross machines
// travel as JSON (BullMQ stores specs and results as JSON text), so numbers JSON cannot hold are tagged
// on the way out and restored on the way in, and a result from Redis is the same bits as a local one.
const TAG = "$brainwire.number";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A copy of a JSON-shaped value with NaN, ±Infinity and -0 replaced by {"$brainwire.number": "…"}. */
export function toWire(value: unknown): Json {
  if (typeof value === "number") {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { [TAG]: Object.is(value, -0) ? "-0" : String(value) };
  }
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value as Json;
}

/** The inverse of toWire. */
export function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === TAG) return Number((value as Record<string, string>)[TAG]);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromWire(v);
    return out;
  }
  return value;
}
