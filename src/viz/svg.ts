// Shared bits of the SVG writers: text escaping and compact, deterministic number formatting.

/** Escapes text for element content and attribute values alike. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Coordinates to 2 decimals (1/100 px is below what any screen shows), without trailing zeros. */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

export function svgOpen(width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" ` +
    `viewBox="0 0 ${px(width)} ${px(height)}" font-family="system-ui, sans-serif">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>`;
}

/** A text element; `attrs` is already-formatted attribute text. */
export function text(x: number, y: number, content: string, attrs = ""): string {
  return `<text x="${px(x)}" y="${px(y)}"${attrs ? ` ${attrs}` : ""}>${escapeXml(content)}</text>`;
}
