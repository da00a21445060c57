// The page in Debian's Chromium, driven by playwright-core (never downloads a browser): a person picks a
// task, a mode, a seed and the steps, trains, discovers, and reads the hashes. They must equal Node's, and
// the picture must draw exactly the circuit's edges. Also: the built page from file://, Stop, the browser
// example, and runCheck on the library bundle for every check case.
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../server/node.ts";
import { circuitHash, parseCircuit } from "../../src/exports/circuits.ts";
import { runCheck, runTransformerCheck, type CheckResult } from "../../src/exports/check.ts";
import { WEIGHT_COLORS } from "../../src/index.ts";
import { CHECK_CASES, TRANSFORMER_CHECK_CASES } from "./cases.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run"];
const root = join(import.meta.dirname, "../..");
const pagePath = join(root, "dist/web/index.html");
const artifacts = join(root, "test-artifacts");
// .ci/run installs chromium and sets this, so CI never skips silently.
const required = process.env.BRAINWIRE_REQUIRE_BROWSER === "1";
const the = CHECK_CASES[0]; // two-moons, bimt: swaps happen and the circuit is small enough to count

describe.skipIf(!existsSync(CHROMIUM) && !required)("the page in Chromium", () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  let node: CheckResult;

  beforeAll(async () => {
    [browser, server, node] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, args: ARGS }),
      startServer({ port: 0, pagePath }),
      runCheck(the),
    ]);
    await mkdir(artifacts, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(url: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    return { page, errors };
  }

  async function train(page: Page): Promise<string> {
    await page.getByLabel("Task").selectOption(the.task);
    await page.getByLabel("Mode").selectOption(the.mode);
    await page.getByLabel("Seed").fill(String(the.seed));
    await page.getByLabel("Steps").fill(String(the.steps));
    await page.getByRole("button", { name: "Train" }).click();
    const hash = page.locator("#weights-hash").filter({ hasText: /^[0-9a-f]{16}$/ });
    await hash.waitFor({ timeout: 60_000 });
    return (await hash.textContent()) ?? "";
  }

  it("served by the app: trains live, discovers, and shows Node's hashes and the circuit's edges", async () => {
    const { page, errors } = await open(server.url);
    expect(await train(page)).toBe(node.weightsHash);
    expect(Number(await page.locator("#network").getAttribute("data-frames"))).toBeGreaterThan(1);
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/^trained: 600 steps, \d+ swaps/);
    await expect.poll(() => page.locator("#metrics").textContent()).toMatch(/test accuracy/);

    await page.getByLabel("Ablation").selectOption("resample");
    await page.getByRole("button", { name: "Discover circuit" }).click();
    const hash = page.locator("#circuit-hash").filter({ hasText: /^[0-9a-f]{16}$/ });
    await hash.waitFor({ timeout: 60_000 });
    expect(await hash.textContent()).toBe(node.circuitHash);
    await expect.poll(() => page.locator("#scores").textContent())
      .toContain(`${node.edges} of ${node.totalEdges}`);
    // What is drawn (the canvas paints the very tree the SVG download writes): one coloured line per kept
    // edge, the pruned ones grey, and the legend that says so.
    const [picture] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "picture.svg" }).click(),
    ]);
    const svg = await readFile(await picture.path(), "utf8");
    const strokes = [...svg.matchAll(/<line [^>]*stroke="([^"]+)" stroke-width/g)].map((m) => m[1]);
    const pruned = strokes.filter((c) => c === WEIGHT_COLORS.pruned).length;
    expect(strokes.length - pruned).toBe(node.edges);
    expect(pruned).toBe(node.totalEdges - node.edges);
    expect(svg).toMatch(/<g class="legend">[^]*>kept, w &gt; 0<[^]*>pruned<[^]*line width/);
    // On screen at the picture's own proportions (a stretched canvas would squash the labels).
    const [w, h] = /<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg)!.slice(1).map(Number);
    const shown = (await page.locator("#network").boundingBox())!;
    expect(shown.width / shown.height).toBeCloseTo(w / h, 1);
    expect(Number(await page.locator("#network").getAttribute("data-frames"))).toBeGreaterThan(2);
    // The circuit file offered for download is the circuit the hash was taken of.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "circuit.json" }).click(),
    ]);
    const circuit = parseCircuit(await readFile(await download.path(), "utf8"));
    expect(circuitHash(circuit)).toBe(node.circuitHash);
    await page.screenshot({ path: join(artifacts, "page.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("permutation-s4 trains with its frame gaps measured, and Stop ends it (benchmark figures printed)", async () => {
    const { page, errors } = await open(server.url);
    await page.getByLabel("Task").selectOption("permutation-s4");
    await page.getByLabel("Steps").fill("200000");
    // Frame gaps: the time between consecutive animation frames while training, seen from the page.
    await page.evaluate(`(() => {
      const w = window;
      w.__gaps = [];
      let last;
      const tick = (t) => {
        if (last !== undefined) w.__gaps.push(t - last);
        last = t;
        if (!w.__stopFrames) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      // Stop latency: from the input event (its timestamp is when it arrived, however late it is
      // handled) to the status line saying "stopped".
      document.getElementById("stop").addEventListener("pointerdown", (e) => { w.__stopAt = e.timeStamp; },
        { capture: true });
      new MutationObserver(() => {
        if (/^stopped:/.test(document.getElementById("status").textContent ?? "")) w.__stoppedAt ??= performance.now();
      }).observe(document.getElementById("status"), { childList: true, characterData: true, subtree: true });
    })()`);
    await page.getByRole("button", { name: "Train" }).click();
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/^step \d+ \/ 200000/);
    await page.waitForTimeout(6000);
    await page.getByRole("button", { name: "Stop" }).click();
    await expect.poll(() => page.locator("#status").textContent(), { timeout: 30_000 }).toMatch(/^stopped: \d+ steps/);
    const m = await page.evaluate(`(() => { window.__stopFrames = true;
      return { gaps: window.__gaps, stopMs: window.__stoppedAt - window.__stopAt }; })()`) as
      { gaps: number[]; stopMs: number };
    const g = [...m.gaps].sort((a, b) => a - b);
    const q = (p: number) => g[Math.min(g.length - 1, Math.floor(p * g.length))];
    const pictures = Number(await page.locator("#network").getAttribute("data-frames"));
    console.log(`page, permutation-s4 training: ${g.length} frames, frame gaps p50 ${q(0.5).toFixed(0)} ms, ` +
      `p95 ${q(0.95).toFixed(0)} ms, max ${g[g.length - 1].toFixed(0)} ms; ${pictures} network pictures painted; ` +
      `Stop took ${m.stopMs.toFixed(0)} ms`);
    expect(g.length).toBeGreaterThan(5);
    expect(pictures).toBeGreaterThan(1);
    expect(await page.getByRole("button", { name: "Discover circuit" }).isEnabled()).toBe(true);
    expect(await page.locator("#weights-hash").textContent()).toMatch(/^[0-9a-f]{16}$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("on a phone (390×844) the network stays on screen while training, with its legend", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true,
      hasTouch: true });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.getByLabel("Task").selectOption("permutation-s4");
    await page.getByLabel("Steps").fill("200000");
    await expect.poll(() => page.locator("#steps-note").textContent()).toBe("");
    await page.getByRole("button", { name: "Train" }).tap();
    await expect.poll(() => page.locator("#network").getAttribute("data-frames")).not.toMatch(/^[01]$/);
    // Scrolled down to the discovery settings, as a thumb would, the picture is still in view.
    await page.getByLabel("Ablation").scrollIntoViewIfNeeded();
    expect(await page.evaluate("window.scrollY")).toBeGreaterThan(0);
    const box = (await page.locator("#network").boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(844);
    expect(box.height).toBeGreaterThan(150);
    expect(box.width).toBeGreaterThan(330);
    await page.screenshot({ path: join(artifacts, "page-phone.png") });
    await page.getByRole("button", { name: "Stop" }).tap();
    await expect.poll(() => page.locator("#status").textContent(), { timeout: 30_000 }).toMatch(/^stopped: \d+ steps/);
    await page.screenshot({ path: join(artifacts, "page-phone-stopped.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a circuit that keeps nothing shows its precision as –, not a perfect score", async () => {
    const { page, errors } = await open(server.url);
    await page.getByLabel("Task").selectOption("symbolic-independence");
    await page.getByLabel("Steps").fill("300");
    await expect.poll(() => page.locator("#steps-note").textContent()).toMatch(/under-trained/);
    await page.getByRole("button", { name: "Train" }).click();
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/^trained: 300 steps/);
    await page.getByLabel("τ").fill("100"); // every edge's effect is below it: ACDC removes them all
    await page.getByRole("button", { name: "Discover circuit" }).click();
    await expect.poll(() => page.locator("#scores").textContent()).toMatch(/edges kept0 of 520 /); // 4·20 + 20·20 + 20·2
    expect(await page.locator("#scores").textContent()).toMatch(/true inputsprecision –, recall 0\.0+/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("opened from file:// (the built folder), the worker runs from a Blob URL and gives the same bits", async () => {
    const { page, errors } = await open(pathToFileURL(pagePath).href);
    expect(await train(page)).toBe(node.weightsHash);
    expect(errors).toEqual([]);
    await page.close();
  });

  /** A page on a made-up origin that serves the repository's examples/ and dist/ files. */
  async function openRepoPage(path: string): Promise<{ page: Page; errors: string[] }> {
    const origin = "http://brainwire.test";
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.route(`${origin}/**`, async (route) => {
      const file = new URL(route.request().url()).pathname;
      const type = file.endsWith(".html") ? "text/html" : "text/javascript";
      if (!/^\/(examples|dist)\/[\w.-]+$/.test(file)) return route.fulfill({ status: 404 });
      return route.fulfill({ body: await readFile(join(root, file)), contentType: type });
    });
    await page.goto(`${origin}${path}`);
    return { page, errors };
  }

  it("examples/browser.html imports dist/brainwire.js and prints the same hashes", async () => {
    const { page, errors } = await openRepoPage("/examples/browser.html");
    const result = page.locator("#result").filter({ hasText: /^weights / });
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toBe(
      `weights ${node.weightsHash} circuit ${node.circuitHash} (${node.edges} of ${node.totalEdges} edges)`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("runCheck from dist/check.js (the library bundle's chunks) gives Node's results for every check case", async () => {
    const want = [];
    for (const c of CHECK_CASES) want.push(await runCheck(c));
    const { page } = await openRepoPage("/examples/browser.html");
    // A string, so vitest's transform leaves the page's import() alone.
    const got = await page.evaluate(`(async () => {
      const { runCheck } = await import("/dist/check.js");
      const out = [];
      for (const c of ${JSON.stringify(CHECK_CASES)}) out.push(await runCheck(c));
      return out;
    })()`);
    expect(got).toEqual(want);
    await page.close();
  });

  it("runTransformerCheck from dist/check.js gives Node's transformer weights, bit for bit", async () => {
    const want = [];
    for (const c of TRANSFORMER_CHECK_CASES) want.push(await runTransformerCheck(c));
    const { page } = await openRepoPage("/examples/browser.html");
    const got = await page.evaluate(`(async () => {
      const { runTransformerCheck } = await import("/dist/check.js");
      const out = [];
      for (const c of ${JSON.stringify(TRANSFORMER_CHECK_CASES)}) out.push(await runTransformerCheck(c));
      return out;
    })()`);
    expect(got).toEqual(want);
    await page.close();
  });
});
