// Attention patterns as small heatmaps, one per head, side by side: row t is the query position,
// column s the key position it attends to, and a cell's opacity is the attention probability itself
// (0 … 1 on one absolute scale for every head, so two heads compare at a glance). Cells above the
// diagonal are masked by causality and left empty on a light ground. A pure function of the
// probabilities (the study records them; src/model/transformer-attention.ts computes them).
import { el, svgRoot, textEl, toSvg, type SvgNode } from "./svg.ts";

export interface HeadPattern {
  /** The head's name, as the circuit graph writes it: "1.3" (layer 1, head 3). */
  head: string;
  /** Positions. */
  T: number;
  /** (T, T) row-major: probs[t·T + s] = attention of query t on key s (each row sums to 1). */
  probs: ArrayLike<number>;
  /** A second line under the name, e.g. the head's attention scores. */
  note?: string;
}

export interface DrawAttentionOptions {
  /** Side of one cell in px (default: the heatmap about 192 px wide, cells 5 … 40 px). */
  cell?: number;
  /** Token of each position (one example), written along the axes when a cell is wide enough. */
  tokens?: string[];
  /** Positions [from, to) to mark along both axes (e.g. an induction sequence's segment and its copy). */
  marks?: { from: number; to: number; label: string; color?: string }[];
  /** Heatmaps per row before wrapping (default: as many as fit `width`). */
  width?: number;
  title?: string;
  caption?: string;
}

export const ATTENTION_COLOR = "#312e81";
const MASKED = "#f3f4f6";
const GAP = 28;
const MARGIN = 16;
/** Room left of a heatmap for the query labels, and under it for the key labels. */
const AXIS = 18;

/** The heatmaps as SVG text. */
export function drawAttention(heads: HeadPattern[], opts: DrawAttentionOptions = {}): string {
  return toSvg(attentionScene(heads, opts));
}

/** The heatmaps as an SVG tree (svg.ts). */
export function attentionScene(heads: HeadPattern[], opts: DrawAttentionOptions = {}): SvgNode {
  for (const h of heads) checkPattern(h);
  const T = heads.length > 0 ? heads[0].T : 1;
  const cell = opts.cell ?? Math.min(40, Math.max(5, Math.floor(192 / T)));
  const side = T * cell;
  const labels = opts.tokens !== undefined && cell >= 9;
  const axis = AXIS + (labels ? 16 : 0);
  const marks = opts.marks ?? [];
  const boxW = axis + side;
  const boxH = 34 + side + axis + (marks.length > 0 ? 14 : 0);
  const width = opts.width ?? Math.max(2 * MARGIN + heads.length * boxW + (heads.length - 1) * GAP, 280);
  const perRow = Math.max(1, Math.floor((width - 2 * MARGIN + GAP) / (boxW + GAP)));
  const rows = Math.max(1, Math.ceil(heads.length / perRow));
  const top = MARGIN + (opts.title ? 24 : 0);
  const legendH = 34;
  const height = top + rows * boxH + (rows - 1) * 12 + legendH + (opts.caption ? 20 : 0) + MARGIN;

  const parts: SvgNode[] = [];
  if (opts.title) parts.push(textEl(width / 2, MARGIN + 12, opts.title, { "text-anchor": "middle", "font-size": "14", "font-weight": "600" }));
  heads.forEach((h, i) => {
    const x = MARGIN + (i % perRow) * (boxW + GAP);
    const y = top + Math.floor(i / perRow) * (boxH + 12);
    parts.push(heatmap(h, x, y, cell, axis, labels ? opts.tokens : undefined, marks));
  });
  if (heads.length === 0) parts.push(textEl(width / 2, top + 20, "no heads in the circuit", { "text-anchor": "middle", "font-size": "12", fill: "#6b7280" }));
  const legendY = top + rows * boxH + (rows - 1) * 12 + 6;
  parts.push(scale(MARGIN, legendY));
  if (opts.caption) parts.push(textEl(width / 2, height - MARGIN + 4, opts.caption, { "text-anchor": "middle", "font-size": "11", fill: "#4b5563" }));
  return svgRoot(width, height, parts);
}

function checkPattern(h: HeadPattern): void {
  if (!Number.isInteger(h.T) || h.T < 1) throw new Error(`attention ${h.head}: T must be a whole number ≥ 1, got ${h.T}`);
  if (h.probs.length !== h.T * h.T) {
    throw new Error(`attention ${h.head}: probs has ${h.probs.length} values, expected T·T = ${h.T * h.T}`);
  }
}

/** One head: its name over the grid, the masked ground, a cell per (query, key ≤ query), the axes. */
function heatmap(h: HeadPattern, x0: number, y0: number, cell: number, axis: number, tokens: string[] | undefined,
  marks: NonNullable<DrawAttentionOptions["marks"]>): SvgNode {
  const { T } = h;
  const gx = x0 + axis;
  const gy = y0 + 34;
  const side = T * cell;
  const out: SvgNode[] = [
    textEl(gx + side / 2, y0 + 12, `head ${h.head}`, { "text-anchor": "middle", "font-size": "12", "font-weight": "600", fill: "#111827" }),
  ];
  if (h.note) out.push(textEl(gx + side / 2, y0 + 26, h.note, { "text-anchor": "middle", "font-size": "10", fill: "#4b5563" }));
  out.push(el("rect", { x: gx, y: gy, width: side, height: side, fill: MASKED }));
  const cells: SvgNode[] = [];
  for (let t = 0; t < T; t++) {
    for (let s = 0; s <= t; s++) {
      const p = h.probs[t * T + s];
      // white under every cell of the allowed triangle, the probability as the ink's opacity on top
      cells.push(el("rect", { x: gx + s * cell, y: gy + t * cell, width: cell, height: cell,
        "fill-opacity": opacity(p), "data-query": String(t), "data-key": String(s) }));
    }
  }
  out.push(el("path", { d: triangle(gx, gy, cell, T), fill: "#ffffff" }));
  out.push(el("g", { class: "cells", fill: ATTENTION_COLOR }, cells));
  out.push(el("rect", { x: gx, y: gy, width: side, height: side, fill: "none", stroke: "#9ca3af", "stroke-width": 0.5 }));
  out.push(textEl(gx + side / 2, gy + side + axis - 4, "key position →", { "text-anchor": "middle", "font-size": "9", fill: "#6b7280" }));
  out.push(textEl(x0 + 10, gy + side / 2, "query →", { "text-anchor": "middle", "font-size": "9", fill: "#6b7280",
    transform: `rotate(90 ${x0 + 10} ${gy + side / 2})` }));
  if (tokens) {
    const attrs = { "font-size": String(Math.min(10, cell - 2)), fill: "#374151" };
    for (let t = 0; t < T; t++) {
      const name = tokens[t] ?? "";
      out.push(textEl(gx - 8, gy + (t + 0.5) * cell + 3, name, { ...attrs, "text-anchor": "end" }));
      out.push(textEl(gx + (t + 0.5) * cell, gy + side + 11, name, { ...attrs, "text-anchor": "middle" }));
    }
  }
  for (const m of marks) {
    const x1 = gx + m.from * cell;
    const w = Math.max(1, (m.to - m.from) * cell);
    const y = gy + side + axis + 2;
    const color = m.color ?? "#d97706";
    // inset by a px at each end, so two adjacent ranges read as two
    out.push(el("rect", { x: x1 + 1, y, width: Math.max(1, w - 2), height: 3, fill: color }));
    out.push(textEl(x1 + w / 2, y + 12, m.label, { "text-anchor": "middle", "font-size": "9", fill: color }));
    // the same positions as queries: a bar left of the rows
    out.push(el("rect", { x: gx - 5, y: gy + m.from * cell + 1, width: 3, height: Math.max(1, w - 2), fill: color }));
  }
  return el("g", { class: "head", "data-head": h.head }, out);
}

/** The lower triangle (cells with key ≤ query) as one path. */
function triangle(x: number, y: number, cell: number, T: number): string {
  const pts: string[] = [`M${x},${y}`];
  for (let t = 0; t < T; t++) pts.push(`H${x + (t + 1) * cell}`, `V${y + (t + 1) * cell}`);
  pts.push(`H${x}`, "Z");
  return pts.join("");
}

/** A probability as an opacity, 3 decimals (finer than any screen shows). */
export function opacity(p: number): string {
  return String(Math.round(Math.min(1, Math.max(0, p)) * 1000) / 1000);
}

/** The 0 … 1 key: a strip of ten steps with its ends labelled. */
function scale(x: number, y: number): SvgNode {
  const steps = 10;
  const w = 14;
  const out: SvgNode[] = [textEl(x, y + 10, "attention probability", { "font-size": "10", fill: "#374151" })];
  const x0 = x + 118;
  out.push(textEl(x0 - 4, y + 10, "0", { "text-anchor": "end", "font-size": "10", fill: "#374151" }));
  for (let i = 0; i < steps; i++) {
    out.push(el("rect", { x: x0 + i * w, y: y + 2, width: w, height: 10, fill: ATTENTION_COLOR, "fill-opacity": opacity((i + 0.5) / steps) }));
  }
  out.push(el("rect", { x: x0, y: y + 2, width: steps * w, height: 10, fill: "none", stroke: "#9ca3af", "stroke-width": 0.5 }));
  out.push(textEl(x0 + steps * w + 4, y + 10, "1", { "font-size": "10", fill: "#374151" }));
  out.push(textEl(x0 + steps * w + 18, y + 10, "empty: masked (a query never sees later keys)", { "font-size": "10", fill: "#6b7280" }));
  return el("g", { class: "legend" }, out);
}
