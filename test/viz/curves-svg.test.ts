import { describe, expect, it } from "vitest";
import { drawCurves, SERIES_COLORS } from "../../src/viz/curves-svg.ts";
import { expectWellFormedSvg, texts } from "./svg-check.ts";

const polylines = (svg: string): { stroke: string; points: number[][] }[] =>
  [...svg.matchAll(/<polyline points="([^"]*)" fill="none" stroke="([^"]+)"/g)].map((m) => ({
    stroke: m[2],
    points: m[1].split(" ").map((p) => p.split(",").map(Number)),
  }));

describe("drawCurves", () => {
  const loss = { name: "train <loss>", points: [[0, 1], [100, 0.1], [200, 0.01], [300, 0.001]] as [number, number][] };
  const cost = { name: "cost & more", points: [[0, 5], [300, 2]] as [number, number][] };

  it("draws one polyline per series with escaped names", () => {
    const svg = drawCurves([loss, cost], { title: "BIMT \"run\"", xLabel: "step", yLabel: "loss" });
    expectWellFormedSvg(svg);
    const drawn = polylines(svg);
    expect(drawn.map((p) => p.stroke)).toEqual(SERIES_COLORS.slice(0, 2));
    expect(drawn.map((p) => p.points.length)).toEqual([4, 2]);
    expect(svg).toContain("train &lt;loss&gt;");
    expect(svg).toContain("cost &amp; more");
    expect(svg).toContain("BIMT &quot;run&quot;");
  });

  it("spaces decades evenly on a log axis and skips points it cannot place", () => {
    const svg = drawCurves([{ name: "l", points: [...loss.points, [400, 0], [500, NaN]] }],
      { title: "t", xLabel: "step", yLabel: "loss", logY: true });
    expectWellFormedSvg(svg);
    const [line] = polylines(svg);
    expect(line.points.length).toBe(4);
    const dy = line.points.slice(1).map((p, i) => p[1] - line.points[i][1]);
    for (const d of dy) expect(d).toBeCloseTo(dy[0], 1); // ×0.1 per step is a straight line
    expect(dy[0]).toBeGreaterThan(0); // falling loss goes down the picture
    const labels = texts(svg).map((t) => t.content);
    expect(labels).toEqual(expect.arrayContaining(["1e-3", "1e-2", "1e-1", "1e0"]));
  });

  it("labels a linear axis with round ticks", () => {
    const svg = drawCurves([cost], { title: "t", xLabel: "step", yLabel: "cost" });
    const labels = texts(svg).map((t) => t.content);
    expect(labels).toEqual(expect.arrayContaining(["0", "100", "200", "300", "2", "3", "4", "5"]));
    const [line] = polylines(svg);
    expect(line.points[0][1]).toBeLessThan(line.points[1][1]); // 5 drawn above 2
  });

  it("still draws axes and says so when there is no data", () => {
    const svg = drawCurves([{ name: "empty", points: [] }], { title: "t", xLabel: "x", yLabel: "y", logY: true });
    expectWellFormedSvg(svg);
    expect(polylines(svg)).toEqual([]);
    expect(svg).toContain("no data");
  });
});
