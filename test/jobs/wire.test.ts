import { describe, expect, it } from "vitest";
import { fromWire, toWire } from "../../src/jobs/wire.ts";

describe("wire: JSON that keeps every number", () => {
  it("round-trips NaN, ±Infinity and -0 through JSON text, at any depth", () => {
    const v = { a: [NaN, -0, 0, Infinity, -Infinity, 1e-310, -1.5], b: { c: [[-0]], d: "NaN", e: null, f: true } };
    const back = fromWire(JSON.parse(JSON.stringify(toWire(v)))) as typeof v;
    expect(back.a.map((x) => Object.is(x, NaN) ? "NaN" : Object.is(x, -0) ? "-0" : x))
      .toEqual(["NaN", "-0", 0, Infinity, -Infinity, 1e-310, -1.5]);
    expect(Object.is(back.b.c[0][0], -0)).toBe(true);
    expect(back.b).toMatchObject({ d: "NaN", e: null, f: true });
  });

  it("leaves plain JSON as it is, and drops undefined fields as JSON does", () => {
    const v = { x: 1, y: "s", z: [1, 2], u: undefined };
    expect(toWire(v)).toEqual({ x: 1, y: "s", z: [1, 2] });
    expect(JSON.stringify(toWire(v))).toBe(JSON.stringify(v));
  });
});
