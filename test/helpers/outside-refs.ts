// Finds references from a repository file to paths outside the repository: a user has only the
// repository, so README, docs, comments, CLI help and reports may point only at what ships with it.
// What counts (each rule names itself in the finding):
//   - "escapes the repository": a relative path with ../ that, resolved from the file's own folder,
//     leaves the repository root (imports such as ../../src/index.ts stay inside and are fine). Code
//     quoted in Markdown (a fenced block) runs from a top-level folder of the repository, such as
//     examples/, so there it is resolved from such a folder;
//   - "machine path": an absolute path of a developer machine (/work/…, /home/…, /Users/…, C:\…);
//   - "missing document": a path to a Markdown file in some folder (docs/x.md, spec/x.md, notes/x.md,
//     ../spec/x.md) that is not a file of the repository, relative to the file's folder or to the root
//     (files the tools write, under out/ or dist/, are output, not references);
//   - "project notes": the maintainers' notes kept beside the repository: their shared folder (in any
//     context, quoted code too) and the ARCHITECTURE and HELPERS notes, named as such.
// URLs (https://…) are not paths and are skipped.
import { posix } from "node:path";

export interface OutsideRef {
  file: string;
  line: number;
  rule: string;
  text: string;
}

const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`)<>]*/gi;
const RELATIVE = /(?<![\w.])(?:\.\.\/)+[\w.@+-]+(?:\/[\w.@+-]+)*/g;
const MACHINE = /(?<![\w.:/-])(?:\/(?:work|home|Users|root|mnt)\/[\w.-]+|[A-Z]:\\[\w.-]+)/g;
const MARKDOWN = /(?<![\w/.-])(?:\.\/)?[\w-]+(?:\/[\w.-]+)+\.md\b/g; // ../ paths: RELATIVE
const OUTPUT = /^(?:\.\/)?(?:out|dist|build|test-artifacts)\//;
const NOTES = /(?:\.\.\/)+shared\b|\b(?:ARCHITECTURE|HELPERS)(?:\.md)?\b/g;
const FENCE = /^\s*(```|~~~)/;

/**
 * The outside references in one file's text. `files` is the set of repository paths (posix, relative
 * to the root, as `git ls-files` lists them).
 */
export function outsideRefs(file: string, text: string, files: ReadonlySet<string>): OutsideRef[] {
  const found: OutsideRef[] = [];
  const dir = posix.dirname(file);
  const markdown = file.endsWith(".md");
  let quoted = false;
  text.split("\n").forEach((raw, i) => {
    if (markdown && FENCE.test(raw)) quoted = !quoted;
    const line = raw.replace(URL, " ");
    const add = (rule: string, t: string) => found.push({ file, line: i + 1, rule, text: t });
    const from = quoted ? "a-folder" : dir;
    for (const [m] of line.matchAll(RELATIVE)) {
      const target = posix.normalize(posix.join(from, m));
      if (target.startsWith("../")) add("escapes the repository", m);
      else if (m.endsWith(".md") && !files.has(target)) add("missing document", m);
    }
    for (const [m] of line.matchAll(MACHINE)) add("machine path", m);
    for (const [m] of line.matchAll(MARKDOWN)) {
      if (OUTPUT.test(m)) continue; // tool output
      const inRepo = files.has(posix.normalize(posix.join(dir, m))) || files.has(posix.normalize(m));
      if (!inRepo) add("missing document", m);
    }
    for (const [m] of line.matchAll(NOTES)) add("project notes", m);
  });
  return found;
}
