// The page's drawing worker: builds each picture tree and paints it on an OffscreenCanvas handed over by
// the page, so a picture of thousands of lines never holds up the page's own thread (input, animation,
// the Stop button). Bundled as an IIFE and started from a Blob URL, like the training worker.
import { renderPicture, type PictureRequest } from "./picture.ts";
import type { Canvas } from "./paint-canvas.ts";

export type ToDrawWorker =
  | { type: "canvases"; network: OffscreenCanvas; curves: OffscreenCanvas; ratio: number }
  | { type: "draw"; request: PictureRequest };

const scope = self as unknown as Worker;
let canvases: Record<PictureRequest["kind"], Canvas> | undefined;
let ratio = 1;

scope.onmessage = (ev: MessageEvent<ToDrawWorker>) => {
  const m = ev.data;
  if (m.type === "canvases") {
    canvases = { network: m.network, curves: m.curves };
    ratio = m.ratio;
    return;
  }
  if (!canvases) throw new Error("draw worker: no canvases yet");
  scope.postMessage(renderPicture(canvases[m.request.kind], m.request, ratio));
};
