#!/usr/bin/env node
// The docs site in a real browser (`npm run test:docs`).
//
// Builds the site (`npm run docs`), serves docs/api on 127.0.0.1, opens it in headless Chromium
// (scripts/find-chromium.mjs: $OWNKIT_CHROMIUM, a system Chrome/Chromium, playwright's download,
// or Debian's package installed where possible; with none, one line says how to provide one) and checks, each as one
// counted check: the build, the front page, every guide in docs/ linked from it by its title, the
// safety contracts page (with linked entries), every internal link of the site (pages exist,
// `#anchors` exist), the site's shape (scripts/test-docs-structure.mjs), no console or page errors,
// and a screenshot in .tmp/docs-screenshot.png.
// `--no-build` skips the build. `--json FILE` writes `{ "passed": n, "failed": n }`.
// Exits 1 when any check fails.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { chromium } from "playwright-core";
import { HOW_TO, findChromium } from "./find-chromium.mjs";
import { checkStructure } from "./test-docs-structure.mjs";

const root = new URL("..", import.meta.url).pathname;
const site = join(root, "docs/api");
const tmp = join(root, ".tmp");
const screenshot = join(tmp, "docs-screenshot.png");
const MAX_PAGES = 500;
const GUIDE_TITLE = "Getting started";
const SAFETY_TITLE = "Safety contracts";

const jsonIndex = process.argv.indexOf("--json");
const jsonFile = jsonIndex >= 0 ? process.argv[jsonIndex + 1] : undefined;
const started = Date.now();

/** @type {{ name: string, ok: boolean, detail: string }[]} */
const checks = [];
function check(name, ok, detail = "") {
  checks.push({ name, ok, detail });
  process.stdout.write(`${ok ? "ok  " : "FAIL"}  ${name}${detail ? `: ${detail}` : ""}\n`);
  return ok;
}

function finish() {
  const passed = checks.filter((c) => c.ok).length;
  const failed = checks.length - passed;
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ passed, failed, checks }, null, 2));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`docs site: ${passed} passed, ${failed} failed (${seconds}s)\n`);
  process.exit(failed === 0 ? 0 : 1);
}

/** The `title:` of every guide the site must link from its front page (docs/*.md but README, docs/generated/*.md). */
function guideTitles() {
  const titles = [];
  for (const dir of ["docs", "docs/generated"]) {
    if (!existsSync(join(root, dir))) continue;
    for (const name of readdirSync(join(root, dir))) {
      if (!name.endsWith(".md") || name === "README.md") continue;
      const title = /^---\r?\n(?:.*\r?\n)*?title:\s*(.+?)\s*\r?\n/.exec(readFileSync(join(root, dir, name), "utf8"))?.[1];
      titles.push(title ?? `(no title: front matter in ${dir}/${name})`);
    }
  }
  return titles;
}

function step(text) {
  process.stdout.write(`\n-- ${text}\n`);
}

// 1. Build (`--no-build` checks the site already in docs/api).
if (process.argv.includes("--no-build")) {
  check("site present in docs/api (--no-build)", existsSync(join(site, "index.html")));
} else {
  step("npm run docs");
  const build = spawnSync("npm", ["run", "docs"], { cwd: root, stdio: "inherit" });
  check("site builds without warnings (npm run docs)", build.status === 0, build.status === 0 ? "" : `exit ${build.status}`);
  if (build.status !== 0) {
    // Still check the site in the browser: build it once more with warnings allowed.
    step("building once more with warnings allowed, to check the site in the browser");
    const args = ["scripts/docs.mjs", "--treatWarningsAsErrors", "false", "--logLevel", "Error"];
    spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  }
}
if (!existsSync(join(site, "index.html"))) {
  check("site present in docs/api", false, "the build wrote no docs/api/index.html");
  finish();
}

// 2. Browser. A machine with none (and no way to install one) gets one line and no failure: the
// build above still counted; installing where it can keeps the check running in CI.
const browserFound = findChromium(step);
if (browserFound.path === undefined) {
  if (browserFound.reason === HOW_TO) {
    process.stdout.write(`docs site: ${HOW_TO}\n`);
    finish();
  }
  check("Chromium available", false, browserFound.reason);
  finish();
}
const chromiumPath = browserFound.path;
step(`Chromium: ${chromiumPath}`);

// 3. Static server.
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
/** @type {string[]} paths the server answered 404 for */
const notFound = [];
const server = createServer((request, response) => {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  let path = normalize(join(site, decodeURIComponent(url.pathname)));
  if (path !== site && !path.startsWith(site + sep)) {
    response.writeHead(403).end();
    return;
  }
  if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
  if (!existsSync(path)) {
    notFound.push(url.pathname);
    response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  response.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
  response.end(readFileSync(path));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
const address = server.address();
const origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
step(`serving docs/api at ${origin}`);

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  /** @type {string[]} */
  const consoleErrors = [];
  context.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(`${message.page()?.url() ?? "?"}: ${message.text()}`);
  });
  context.on("weberror", (error) => consoleErrors.push(`page error: ${error.error().message}`));
  context.on("requestfailed", (request) => {
    // ERR_ABORTED: the crawl navigated on before the request finished (a missing file is a 404 instead).
    const reason = request.failure()?.errorText ?? "";
    if (reason !== "net::ERR_ABORTED") consoleErrors.push(`request failed (${reason}): ${request.url()}`);
  });
  context.on("response", (response) => {
    if (response.status() >= 400) consoleErrors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  const page = await context.newPage();

  /** Opens a site URL; returns the HTTP status (0 when it did not load). */
  async function open(url, { navigation = true } = {}) {
    const response = await page.goto(url, { waitUntil: "load" }).catch(() => null);
    // TypeDoc fills the navigation tree from a compressed data file after load.
    if (navigation) await page.waitForSelector("#tsd-nav-container a", { timeout: 5000 }).catch(() => undefined);
    return response?.status() ?? 0;
  }

  /** Links in the main content of the current page (not the navigation tree), with their text. */
  async function contentLinks() {
    return page.$$eval(".col-content a[href]", (anchors) =>
      anchors.map((a) => ({ text: (a.textContent ?? "").trim(), href: /** @type {HTMLAnchorElement} */ (a).href })),
    );
  }

  // Front page.
  step("front page");
  const indexStatus = await open(`${origin}/index.html`);
  const title = await page.title();
  const heading = await page.locator(".col-content h1, .col-content h2").first().textContent().catch(() => null);
  check("index loads", indexStatus === 200 && title.includes("ownkit"), `status ${indexStatus}, title "${title}", first heading "${heading?.trim()}"`);

  const frontLinks = await contentLinks();
  const guideLinks = frontLinks.filter((l) => l.href.includes("/documents/"));
  const guides = guideLinks.filter((l) => l.text !== SAFETY_TITLE);
  const safety = guideLinks.find((l) => l.text === SAFETY_TITLE);

  // Guides: every guide in docs/ (and docs/generated/) is linked from the front page by its title,
  // every guide linked there opens and has a heading, and "Getting started" is one.
  step("guides");
  /** @type {string[]} */
  const guideProblems = [];
  for (const title of guideTitles()) {
    if (!guides.some((g) => g.text === title)) guideProblems.push(`no "${title}" link on the front page`);
  }
  if (!guides.some((g) => g.text === GUIDE_TITLE)) guideProblems.push(`no "${GUIDE_TITLE}" link on the front page`);
  for (const guide of guides) {
    const status = await open(guide.href);
    const h1 = await page.locator(".col-content h1").first().textContent().catch(() => null);
    if (status !== 200 || !h1) guideProblems.push(`${guide.text} (${guide.href}): status ${status}, heading ${h1}`);
  }
  check("each guide reachable from the front page", guideProblems.length === 0, guideProblems.join("; ") || guides.map((g) => g.text).join(", "));

  // Safety contracts page: reachable, and every entry links to an API page.
  step("safety contracts page");
  let safetyDetail = `no "${SAFETY_TITLE}" link on the front page`;
  let safetyOk = false;
  if (safety) {
    const status = await open(safety.href);
    const h1 = (await page.locator(".col-content h1").first().textContent().catch(() => "")) ?? "";
    const sections = await page.locator(".col-content h2").allTextContents();
    const entries = await page.locator(".col-content h3 a[href]:not(.tsd-anchor-icon)").count();
    safetyOk = status === 200 && h1.includes(SAFETY_TITLE) && sections.length >= 2 && entries > 0;
    safetyDetail = `status ${status}, sections: ${sections.map((s) => s.trim()).join(" / ")}, ${entries} linked entries`;
  }
  check("safety contracts page reachable", safetyOk, safetyDetail);

  await checkStructure({ page, open, origin, check, step });

  // Crawl every internal page reachable from the front page (bounded), in a few tabs at once.
  step("crawl");
  /** @type {Map<string, Set<string>>} page URL (no hash) -> ids on it; empty set when it failed */
  const visited = new Map();
  /** @type {{ from: string, href: string }[]} */
  const links = [];
  const start = `${origin}/index.html`;
  const queue = [start];
  const queued = new Set(queue);
  /** @type {string[]} */
  const broken = [];
  let inFlight = 0;
  /**
   * Visits queued pages in `tab` until the queue is empty and no tab is busy, or `limit` pages.
   * @param {import("playwright-core").Page} tab
   */
  async function crawl(tab, limit = Infinity) {
    for (let count = 0; count < limit; count += 1) {
      const url = visited.size + inFlight < MAX_PAGES ? queue.shift() : undefined;
      if (url === undefined) {
        if (inFlight === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
        count -= 1;
        continue;
      }
      inFlight += 1;
      try {
        const response = await tab.goto(url, { waitUntil: "load" }).catch(() => null);
        // The navigation tree (filled in after load) is the same on every page: read it once.
        if (url === start) await tab.waitForSelector("#tsd-nav-container a", { timeout: 5000 }).catch(() => undefined);
        const status = response?.status() ?? 0;
        if (status !== 200) {
          visited.set(url, new Set());
          broken.push(`${url}: HTTP ${status}`);
          continue;
        }
        const found = await tab.evaluate(() => ({
          ids: [...document.querySelectorAll("[id], a[name]")].map((e) => e.id || e.getAttribute("name") || ""),
          hrefs: [...document.querySelectorAll("a[href]")].map((a) => /** @type {HTMLAnchorElement} */ (a).href),
        }));
        visited.set(url, new Set(found.ids));
        for (const href of found.hrefs) {
          if (!href.startsWith(origin)) continue;
          links.push({ from: url, href });
          const target = href.split("#")[0] ?? href;
          if (!queued.has(target)) {
            queued.add(target);
            queue.push(target);
          }
        }
      } finally {
        inFlight -= 1;
      }
    }
  }
  await crawl(page, 1); // the front page alone first, so every tab starts with its links
  const tabs = [page, ...(await Promise.all([1, 2, 3].map(() => context.newPage())))];
  await Promise.all(tabs.map((tab) => crawl(tab)));
  const anchorProblems = [];
  for (const { from, href } of links) {
    const [target, hash] = href.split("#");
    const ids = visited.get(/** @type {string} */ (target));
    if (!ids) continue; // beyond the crawl bound
    if (ids.size === 0 && broken.some((b) => b.startsWith(`${target}:`))) {
      anchorProblems.push(`${from} -> ${href}: page missing`);
    } else if (hash && !ids.has(decodeURIComponent(hash))) {
      anchorProblems.push(`${from} -> ${href}: no element with id "${decodeURIComponent(hash)}"`);
    }
  }
  const problems = [...new Set([...broken, ...anchorProblems])];
  check(
    "no broken links",
    problems.length === 0 && queue.length === 0,
    problems.length > 0
      ? `${problems.length} broken:\n  ${problems.slice(0, 20).join("\n  ")}`
      : queue.length > 0
        ? `crawl stopped at ${MAX_PAGES} pages with ${queue.length} unvisited`
        : `${visited.size} pages, ${links.length} internal links`,
  );

  const errors = [...consoleErrors, ...notFound.map((path) => `server answered 404 for ${path}`)];
  check("no console errors", errors.length === 0, errors.slice(0, 20).join("\n  "));

  // Screenshot of the front page.
  step("screenshot");
  mkdirSync(tmp, { recursive: true });
  await open(`${origin}/index.html`);
  await page.screenshot({ path: screenshot, fullPage: false });
  check("screenshot saved", existsSync(screenshot) && statSync(screenshot).size > 10_000, screenshot.replace(root, ""));
} catch (error) {
  check("browser session", false, error instanceof Error ? error.stack ?? error.message : String(error));
} finally {
  await browser.close();
  server.close();
}
finish();
