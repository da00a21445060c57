// brainwire/viz: pictures as pure functions of data (SVG networks, circuits and curves; the HTML report).
export { drawNetwork, networkScene, WEIGHT_COLORS, type CircuitMask, type DrawNetworkOptions } from "../viz/network-svg.ts";
export { curvesScene, drawCurves, type CurvesOptions, type Series } from "../viz/curves-svg.ts";
export { toSvg, type SvgNode } from "../viz/svg.ts";
export { reportHtml } from "../viz/report-html.ts";
