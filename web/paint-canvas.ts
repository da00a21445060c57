// Paints a picture tree (src/viz/svg.ts SvgNode) on a 2-D canvas: the live view while training. The
// same tree written with toSvg is the file a download saves, so screen and file show the same picture.
// A browser lays out and paints an SVG element by element (permutation-s4: 4,200 lines, hundreds of ms
// per picture without a GPU); a canvas only strokes them. Covers the subset of SVG the pictures use:
// svg, g (inherited presentation attributes), rect, line, polyline, polygon, circle and text (with
// text-anchor and a rotate(a x y) transform).
import type { SvgNode } from "../src/viz/svg.ts";

/** Presentation attributes a <g> passes down to its children. */
const INHERITED = ["fill", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "font-size", "font-weight",
  "font-family", "text-anchor"];

type Style = Record<string, string>;
export type Canvas = HTMLCanvasElement | OffscreenCanvas;
type Context = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** Sizes the canvas to the tree's width × height in CSS px × `ratio` (device pixels) and paints it. */
export function paintTree(canvas: Canvas, tree: SvgNode, ratio: number): void {
  const width = Number(tree.attrs.width);
  const height = Number(tree.attrs.height);
  const [w, h] = [Math.round(width * ratio), Math.round(height * ratio)];
  if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
  const ctx = canvas.getContext("2d") as Context | null;
  if (!ctx) throw new Error("no 2-D canvas context");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  paint(ctx, tree, { fill: "#000000", "font-family": "sans-serif", "font-size": "16" }, width, height);
}

function paint(ctx: Context, n: SvgNode, inherited: Style, width: number, height: number): void {
  const style: Style = { ...inherited };
  for (const k of INHERITED) if (k in n.attrs) style[k] = n.attrs[k];
  const a = n.attrs;
  const num = (k: string) => Number(a[k] ?? 0);
  switch (n.tag) {
    case "svg":
    case "g":
      for (const c of n.children ?? []) paint(ctx, c, style, width, height);
      return;
    case "rect": {
      const w = a.width === "100%" ? width : num("width");
      const h = a.height === "100%" ? height : num("height");
      shape(ctx, style, () => ctx.rect(num("x"), num("y"), w, h));
      return;
    }
    case "line":
      ctx.beginPath();
      ctx.moveTo(num("x1"), num("y1"));
      ctx.lineTo(num("x2"), num("y2"));
      stroke(ctx, style);
      return;
    case "polyline":
    case "polygon": {
      const pts = (a.points ?? "").trim().split(/\s+/).map((p) => p.split(",").map(Number));
      shape(ctx, style, () => {
        pts.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
        if (n.tag === "polygon") ctx.closePath();
      });
      return;
    }
    case "circle":
      shape(ctx, style, () => ctx.arc(num("cx"), num("cy"), num("r"), 0, 2 * Math.PI));
      return;
    case "text":
      text(ctx, n, style);
      return;
  }
}

/** Fills (unless fill="none") and strokes (if a stroke is set) the path `trace` draws. */
function shape(ctx: Context, style: Style, trace: () => void): void {
  ctx.beginPath();
  trace();
  if (style.fill !== "none") {
    ctx.fillStyle = style.fill;
    ctx.fill();
  }
  stroke(ctx, style);
}

function stroke(ctx: Context, style: Style): void {
  if (!style.stroke || style.stroke === "none") return;
  ctx.strokeStyle = style.stroke;
  ctx.lineWidth = Number(style["stroke-width"] ?? 1);
  ctx.lineCap = (style["stroke-linecap"] as CanvasLineCap | undefined) ?? "butt";
  ctx.globalAlpha = Number(style["stroke-opacity"] ?? 1);
  ctx.stroke();
  ctx.globalAlpha = 1;
}

function text(ctx: Context, n: SvgNode, style: Style): void {
  const x = Number(n.attrs.x ?? 0);
  const y = Number(n.attrs.y ?? 0);
  ctx.save();
  const rotate = /rotate\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*\)/.exec(n.attrs.transform ?? "");
  if (rotate) {
    const [deg, cx, cy] = rotate.slice(1).map(Number);
    ctx.translate(cx, cy);
    ctx.rotate((deg * Math.PI) / 180);
    ctx.translate(-cx, -cy);
  }
  ctx.font = `${style["font-weight"] ?? "normal"} ${style["font-size"]}px ${style["font-family"]}`;
  ctx.textAlign = ({ middle: "center", end: "right" } as Record<string, CanvasTextAlign>)[style["text-anchor"]] ??
    "left";
  ctx.textBaseline = "alphabetic";
  ctx.fillStyle = style.fill;
  ctx.fillText(n.text ?? "", x, y);
  ctx.restore();
}
