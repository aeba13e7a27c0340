// Browser checks of the site's shape (part of `npm run test:docs`), each failing if the matching
// fix in scripts/typedoc-site-plugin.mjs or typedoc.json is undone: guides in reading order in the
// sidebar and on the front page, "On This Page" entries equal to their headings (inline code
// included), no brand properties on class pages, internal helpers under "Internals", handle methods
// on the pages of the classes they belong to, source links, and the plugin module's import name.
import { INTERNALS, READING_ORDER } from "./typedoc-site-plugin.mjs";

const BRANDS = ["[ownableCapability]", "[refCountedCapability]", "[notRefCountedBecause]", "[handledResource]"];

/**
 * @param {{ page: import("playwright-core").Page, open: (url: string) => Promise<number>, origin: string,
 *   check: (name: string, ok: boolean, detail?: string) => boolean, step: (text: string) => void }} context
 */
export async function checkStructure({ page, open, origin, check, step }) {
  step("site structure");
  await open(`${origin}/index.html`);
  const sidebar = await page.$$eval("#tsd-nav-container a", (anchors) =>
    anchors.map((a) => ({ text: (a.textContent ?? "").trim(), href: /** @type {HTMLAnchorElement} */ (a).href, folder: a.closest("details")?.querySelector("summary")?.textContent?.trim() ?? "" })),
  );
  const docs = sidebar.filter((entry) => entry.href.includes("/documents/")).map((entry) => entry.text);
  const expected = READING_ORDER.filter((title) => docs.includes(title));
  const inOrder = docs.slice(0, expected.length).join(" > ") === expected.join(" > ");
  check("sidebar lists the guides in reading order", inOrder && expected.length >= 5, docs.join(" > "));
  const front = await page.$$eval(".col-content a[href*='documents/']", (anchors) => anchors.map((a) => (a.textContent ?? "").trim()));
  const frontGuides = front.filter((title) => READING_ORDER.includes(title));
  check("front page lists the guides in reading order", frontGuides.join(" > ") === expected.join(" > "), frontGuides.join(" > "));

  const modules = sidebar.filter((entry) => /\/modules\/[^/#]+\.html$/.test(entry.href)).map((entry) => entry.href.split("/").pop());
  const plugin = sidebar.find((entry) => entry.href.endsWith("/modules/ownkit_eslint-plugin.html"));
  let pluginTitle = "";
  if (plugin) {
    await open(plugin.href);
    pluginTitle = ((await page.locator(".col-content h1").first().textContent().catch(() => "")) ?? "").trim();
    await open(`${origin}/index.html`);
  }
  check("the lint module is named ownkit/eslint-plugin", pluginTitle.includes("ownkit/eslint-plugin") && !modules.includes("lint.html"), `${pluginTitle || "no ownkit_eslint-plugin page"}; modules: ${modules.join(", ")}`);

  const misplaced = sidebar.filter((entry) => INTERNALS.some((name) => entry.href.endsWith(`.${name}.html`)) && entry.folder !== "Internals");
  const internals = sidebar.filter((entry) => entry.folder === "Internals").map((entry) => entry.text);
  check("internal helper types sit under Internals in the sidebar", misplaced.length === 0 && internals.includes("BorrowSearchLevel"), misplaced.length > 0 ? `outside: ${misplaced.map((entry) => `${entry.text} (in "${entry.folder}")`).join(", ")}` : [...new Set(internals)].join(", "));

  // "On This Page" entry text equals its heading's text (inline code kept) on every guide.
  const tocProblems = [];
  for (const title of expected) {
    const target = sidebar.find((entry) => entry.text === title);
    if (!target) continue;
    await open(target.href);
    const pairs = await page.$$eval(".tsd-page-navigation a[href^='#']", (anchors) =>
      anchors.map((a) => {
        const id = decodeURIComponent(a.getAttribute("href")?.slice(1) ?? "");
        const heading = document.getElementById(id);
        const clone = heading?.cloneNode(true);
        clone?.querySelectorAll(".tsd-anchor-icon").forEach((icon) => icon.remove());
        return { toc: (a.textContent ?? "").trim(), heading: clone ? (clone.textContent ?? "").trim() : null, id };
      }),
    );
    for (const { toc, heading, id } of pairs) {
      if (heading === null) tocProblems.push(`${title}: #${id} has no heading`);
      else if (toc !== heading) tocProblems.push(`${title}: "${toc}" for heading "${heading}"`);
    }
  }
  check("On This Page entries equal their headings, inline code included", tocProblems.length === 0, tocProblems.slice(0, 6).join("; "));

  // Class pages: no brand properties, handle methods present, source links.
  const classes = { Page: ["release()"], Folio: ["clone()", "put()"] };
  for (const [name, methods] of Object.entries(classes)) {
    const status = await open(`${origin}/classes/ownkit.${name}.html`);
    const content = (await page.locator(".col-content").textContent().catch(() => "")) ?? "";
    const brands = BRANDS.filter((brand) => content.includes(brand));
    check(`${name} page lists no brand properties`, status === 200 && brands.length === 0, brands.join(", ") || `status ${status}`);
    const links = await page.$$eval(".col-content a[href]", (anchors) => anchors.map((a) => ({ text: (a.textContent ?? "").trim(), href: a.getAttribute("href") ?? "" })));
    const missing = methods.filter((method) => !links.some((link) => link.text === method && /Handle\.html#/.test(link.href)));
    check(`${name} page shows its handle methods (${methods.join(", ")})`, missing.length === 0, missing.length > 0 ? `missing ${missing.join(", ")}` : "");
    const sources = links.filter((link) => /^https:\/\/github\.com\/.+\/blob\/[^/]+\/src\/.+\.ts#L\d+$/.test(link.href));
    check(`${name} page links its source`, sources.length > 0, sources[0]?.href ?? "no source link");
  }
}
