import { describe, expect, it } from "vitest";
import { el, lineEl, svgRoot, textEl, toSvg } from "../../src/viz/svg.ts";
import { expectWellFormedSvg } from "./svg-check.ts";

describe("picture trees and their SVG text", () => {
  it("writes elements in order, one per line, escaping attributes and text, numbers to 2 decimals", () => {
    const tree = svgRoot(100, 50.456, [
      el("g", { stroke: "#000", "data-x": 'a"b' }, [lineEl(1.005, 2, 3.333, 4, { "stroke-width": "1.5" })]),
      textEl(5, 6, "x < y & z", { "text-anchor": "middle" }),
      el("g", {}, []),
    ]);
    const svg = toSvg(tree);
    expectWellFormedSvg(svg);
    expect(svg).toBe([
      '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50.46" viewBox="0 0 100 50.46" ' +
        'font-family="system-ui, sans-serif">',
      '<rect width="100%" height="100%" fill="#ffffff"/>',
      '<g stroke="#000" data-x="a&quot;b">',
      '<line x1="1" y1="2" x2="3.33" y2="4" stroke-width="1.5"/>',
      "</g>",
      '<text x="5" y="6" text-anchor="middle">x &lt; y &amp; z</text>',
      "<g/>",
      "</svg>",
    ].join("\n"));
  });
});
