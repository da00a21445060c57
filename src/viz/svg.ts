// Shared bits of the pictures. A picture is first built as data, a tree of SVG elements (`SvgNode`),
// then written as SVG text (`toSvg`) for files and reports; the page patches the same tree into a live
// <svg> element instead (web/live-svg.ts), changing only the attributes that moved, so any picture kind
// that builds an SvgNode tree (networks, curves, later transformers) gets both for free.

/** One SVG element as plain data. Attribute values are final text; keys keep their insertion order. */
export interface SvgNode {
  tag: string;
  attrs: Record<string, string>;
  children?: SvgNode[];
  /** Text content (only for leaf elements such as <text>). */
  text?: string;
}

/** Escapes text for element content and attribute values alike. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Coordinates to 2 decimals (1/100 px is below what any screen shows), without trailing zeros. */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** An element; numbers are written with `px`. */
export function el(tag: string, attrs: Record<string, string | number> = {}, children?: SvgNode[]): SvgNode {
  const a: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) a[k] = typeof v === "number" ? px(v) : v;
  return children ? { tag, attrs: a, children } : { tag, attrs: a };
}

/** The root <svg> on a white background. */
export function svgRoot(width: number, height: number, children: SvgNode[]): SvgNode {
  return el("svg", { xmlns: "http://www.w3.org/2000/svg", width, height,
    viewBox: `0 0 ${px(width)} ${px(height)}`, "font-family": "system-ui, sans-serif" },
  [el("rect", { width: "100%", height: "100%", fill: "#ffffff" }), ...children]);
}

/** A text element at (x, y). */
export function textEl(x: number, y: number, content: string, attrs: Record<string, string | number> = {}): SvgNode {
  return { ...el("text", { x, y, ...attrs }), text: content };
}

/** A straight line segment (a picture may hold thousands: built without intermediate objects). */
export function lineEl(x1: number, y1: number, x2: number, y2: number, attrs: Record<string, string>): SvgNode {
  const a: Record<string, string> = { x1: px(x1), y1: px(y1), x2: px(x2), y2: px(y2) };
  for (const k in attrs) a[k] = attrs[k];
  return { tag: "line", attrs: a };
}

/** SVG text of a tree, one element per line; the same tree always gives the same bytes. */
export function toSvg(n: SvgNode): string {
  const parts: string[] = [];
  write(n, parts);
  return parts.join("");
}

function write(n: SvgNode, out: string[]): void {
  out.push("<", n.tag);
  for (const k in n.attrs) out.push(" ", k, '="', escapeXml(n.attrs[k]), '"');
  if (n.text !== undefined) {
    out.push(">", escapeXml(n.text), "</", n.tag, ">");
  } else if (n.children && n.children.length > 0) {
    out.push(">");
    for (const c of n.children) {
      out.push("\n");
      write(c, out);
    }
    out.push("\n</", n.tag, ">");
  } else {
    out.push("/>");
  }
}
