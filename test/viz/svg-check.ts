// A tiny well-formedness check for generated SVG (Node has no DOMParser): one <svg> root, every tag
// closed in order, no raw '&' or '<' in text or attribute values.
import { expect } from "vitest";

export function expectWellFormedSvg(svg: string): void {
  expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  const stack: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([a-zA-Z]+)(?:\s+[\w:-]+="[^"<]*")*\s*(\/?)>/g;
  const outside = svg.replace(tag, (_, close: string, name: string, selfClose: string) => {
    if (close) {
      expect(stack.pop(), `closing </${name}>`).toBe(name);
    } else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name);
    }
    return "";
  });
  expect(stack, "unclosed tags").toEqual([]);
  expect(roots).toBe(1);
  expect(outside, "stray markup outside tags").not.toMatch(/[<>]/);
  expect(svg, "unescaped &").not.toMatch(/&(?!amp;|lt;|gt;|quot;|#39;)/);
}

export interface SvgLine {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  stroke: string;
  width: number;
}

export function lines(svg: string): SvgLine[] {
  const re = /<line x1="([^"]+)" y1="([^"]+)" x2="([^"]+)" y2="([^"]+)" stroke="([^"]+)" stroke-width="([^"]+)"\/>/g;
  return [...svg.matchAll(re)].map((m) => ({
    x1: Number(m[1]), y1: Number(m[2]), x2: Number(m[3]), y2: Number(m[4]), stroke: m[5], width: Number(m[6]),
  }));
}

export function circles(svg: string): { cx: number; cy: number }[] {
  return [...svg.matchAll(/<circle cx="([^"]+)" cy="([^"]+)"/g)].map((m) => ({ cx: Number(m[1]), cy: Number(m[2]) }));
}

/** Text elements in document order. */
export function texts(svg: string): { x: number; y: number; content: string }[] {
  return [...svg.matchAll(/<text x="([^"]+)" y="([^"]+)"[^>]*>([^<]*)<\/text>/g)]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), content: m[3] }));
}
