// What the page draws, as plain messages: the network (a snapshot with its drawing options) and the
// training curves. `renderPicture` turns one into a picture tree and paints it; it runs in the drawing
// worker (draw-worker.ts) on an OffscreenCanvas, or on this thread where a browser has none. A second
// picture kind (e.g. a transformer) plugs in as another `kind` with its own tree builder.
// The viz modules directly, not the library's index: the drawing worker's bundle then holds no engine.
import { curvesScene, type CurvesOptions, type Series } from "../src/viz/curves-svg.ts";
import { networkScene, type DrawNetworkOptions } from "../src/viz/network-svg.ts";
import { toSvg, type SvgNode } from "../src/viz/svg.ts";
import type { ModelSnapshot } from "../src/model/spec.ts";
import { paintTree, type Canvas } from "./paint-canvas.ts";

export type PictureRequest =
  | { kind: "network"; snapshot: ModelSnapshot; options: DrawNetworkOptions; svg?: boolean }
  | { kind: "curves"; series: Series[]; options: CurvesOptions; svg?: boolean };

export interface Painted {
  kind: PictureRequest["kind"];
  /** CSS size of the picture, for the canvas's aspect ratio. */
  width: number;
  height: number;
  /** Milliseconds to build and paint it. */
  ms: number;
  /** The SVG text of the same tree, when asked for (downloads). */
  svg?: string;
}

function tree(r: PictureRequest): SvgNode {
  return r.kind === "network" ? networkScene(r.snapshot, r.options) : curvesScene(r.series, r.options);
}

export function renderPicture(canvas: Canvas, r: PictureRequest, ratio: number): Painted {
  const t0 = performance.now();
  const t = tree(r);
  paintTree(canvas, t, ratio);
  const painted: Painted = { kind: r.kind, width: Number(t.attrs.width), height: Number(t.attrs.height), ms: 0 };
  if (r.svg) painted.svg = toSvg(t);
  painted.ms = performance.now() - t0;
  return painted;
}
