// TypeDoc plugin: the shape of the ownkit site, as a reader meets it.
//
// - Guides in reading order (READING_ORDER, by title; others after them, before the benchmarks).
// - Class pages (and interfaces that inherit them) without the type-only brand properties
//   (`[ownableCapability]`, ...): they stay on the capability interfaces that declare them, where
//   implementers need them. Well-known symbols stay.
// - Internal helper types (INTERNALS) in an "Internals" category of their module, out of the API.
// - Classes used through a handle (an ownable class through `Owned<...>`, a refcounted one through
//   `ARef<...>`) list the handle's methods (`release()`, `clone()`, `put()`) on their own page.
// - "On This Page" entries keep their inline code, and a heading's anchor is the GitHub-style slug
//   of its whole text (so `#the-with_page_mapped-contract` works on the site as on GitHub).
import { Comment, CommentTag, Converter, PageEvent, ReflectionKind } from "typedoc";

export const READING_ORDER = [
  "Getting started",
  "Designing your own API",
  "Pages",
  "Folios",
  "Runtime core",
  "Lint rules",
  "Reading the errors",
  "Misuse catalogue",
  "Safety contracts",
  "Performance notes",
  "Benchmarks",
];
export const INTERNALS = ["BorrowSearch", "BorrowSearchLevel", "BorrowSearchStep", "BorrowSearchLeaf", "ConsumedUniqueMembers", "LoffRepr", "DeclaredSentence"];
const HANDLES = [
  { brand: "[ownableCapability]", handle: "OwnedHandle", wrapper: "Owned", methods: ["release"] },
  { brand: "[refCountedCapability]", handle: "ARefHandle", wrapper: "ARef", methods: ["clone", "put"] },
];

const text = (value) => ({ kind: "text", text: value });
const code = (value) => ({ kind: "code", text: `\`${value}\`` });
const link = (label, target) => ({ kind: "inline-tag", tag: "@link", text: label, target });

/** @param {import("typedoc").Application} app */
export function load(app) {
  // Before the safety plugin's RESOLVE_BEGIN work and before grouping: shape the reflections.
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    const all = Object.values(project.reflections);
    for (const klass of all.filter((reflection) => reflection.kindOf(ReflectionKind.Class))) {
      const names = new Set((klass.children ?? []).map((child) => child.name));
      for (const { brand, handle, wrapper, methods } of HANDLES) {
        if (names.has(brand)) describeHandle(project, klass, handle, wrapper, methods);
      }
    }
    // Brands go from classes and from whatever inherits them; the interface declaring one keeps it.
    for (const owner of all.filter((reflection) => reflection.kindOf(ReflectionKind.Class | ReflectionKind.Interface))) {
      for (const child of [...(owner.children ?? [])]) {
        const brand = child.name.startsWith("[") && !child.name.startsWith("[Symbol.");
        if (brand && (owner.kindOf(ReflectionKind.Class) || child.inheritedFrom)) project.removeReflection(child);
      }
    }
    for (const reflection of all) {
      if (!INTERNALS.includes(reflection.name) || !reflection.kindOf(ReflectionKind.TypeAlias | ReflectionKind.Interface)) continue;
      reflection.comment ??= new Comment();
      reflection.comment.blockTags.push(new CommentTag("@category", [text("Internals")]));
    }
  });
  // After the safety page is added (priority 0), before GroupPlugin (-100) and the front page's
  // guide list (-400): order the documents.
  app.converter.on(
    Converter.EVENT_RESOLVE_END,
    (context) => {
      const project = context.project;
      const rank = (doc) => {
        const index = READING_ORDER.indexOf(doc.name);
        return index >= 0 ? index : READING_ORDER.length - 1.5;
      };
      const sorted = (list) => [...list].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
      if (project.documents) project.documents = sorted(project.documents);
      if (project.childrenIncludingDocuments) {
        const documents = sorted(project.childrenIncludingDocuments.filter((child) => child.isDocument()));
        project.childrenIncludingDocuments = [...documents, ...project.childrenIncludingDocuments.filter((child) => !child.isDocument())];
      }
    },
    -50,
  );
  app.renderer.on(PageEvent.END, (page) => {
    // Guides and the front page only: API member anchors stay as TypeDoc names them.
    if (page.contents && page.model.kindOf(ReflectionKind.Document | ReflectionKind.Project)) page.contents = fixHeadings(page.contents);
  });
}

/** Appends "Held as `Owned<Page>`, it also has release() ..." to a class's summary. */
function describeHandle(project, klass, handleName, wrapper, methods) {
  const handle = Object.values(project.reflections).find((reflection) => reflection.name === handleName && reflection.kindOf(ReflectionKind.Interface));
  if (!handle) return;
  klass.comment ??= new Comment();
  const parts = [text("\n\n**Handle methods.** Held as "), code(`${wrapper}<${klass.name}>`), text(" (see "), link(wrapper, handle), text("), it also has ")];
  methods.forEach((name, index) => {
    const method = handle.children?.find((child) => child.name === name);
    if (index > 0) parts.push(text(index === methods.length - 1 ? " and " : ", "));
    parts.push(method ? link(`${name}()`, method) : code(`${name}()`));
  });
  parts.push(text(", and "), code("[Symbol.dispose]()"), text(" for `using`."));
  klass.comment.summary.push(...parts);
}

const decode = (html) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

/** GitHub's heading slug: lower case, punctuation but `-` and `_` dropped, spaces to `-`. */
export function slug(value) {
  return value
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Gives each Markdown heading its full-text anchor and puts its text, code included, in the ToC. */
export function fixHeadings(html) {
  const headings = new Map();
  const used = new Set();
  const withIds = html.replace(/<(h[1-6]) id="([^"]*)" class="tsd-anchor-link">([\s\S]*?)<a href="#\2" aria-label="Permalink"/g, (whole, tag, id, inner) => {
    let next = slug(decode(inner)) || id;
    for (let n = 1; used.has(next); n++) next = `${slug(decode(inner))}-${n}`;
    used.add(next);
    // Links inside a heading (the safety page's entries) cannot nest in the ToC's own link.
    headings.set(id, { id: next, inner: inner.replace(/<wbr\/?>/g, "").replace(/<\/?a\b[^>]*>/g, "") });
    return `<${tag} id="${next}" class="tsd-anchor-link">${inner}<a href="#${next}" aria-label="Permalink"`;
  });
  if (headings.size === 0) return html;
  return withIds.replace(/<a href="#([^"]*)"><span>([\s\S]*?)<\/span><\/a>/g, (whole, id, label) => {
    const heading = headings.get(id);
    return heading ? `<a href="#${heading.id}"><span>${heading.inner}</span></a>` : whole;
  });
}
