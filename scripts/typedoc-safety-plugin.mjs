// TypeDoc plugin for the ownkit site.
//
// - Names the entry-point modules after their import paths (`ownkit`, `ownkit/mm`, ...) unless a
//   module names itself with `@module`.
// - Adds a generated "Safety contracts" document: every API whose comment has a `@safety` block
//   (it trusts its caller; the block is the contract) and every one with `@invariant`, each with a
//   link to its API page and the text of the tag.
// - Appends a "Guides" list to the front page linking every project document that exists, in
//   reading order, so the front page never lists a guide that has not been written.
//
// Loaded through `plugin` in typedoc.json. The tags themselves are declared in tsdoc.json, which
// TypeDoc reads into its `blockTags` option; the plugin fails the build if that did not happen.
import { Comment, Converter, DocumentReflection, ReflectionKind } from "typedoc";

const PACKAGE = "ownkit";
const SUBPATHS = new Map([["ownership", "ownership"], ["core", "core"], ["mm", "mm"], ["misuse", "misuse"], ["lint", "eslint-plugin"]]);
const TAGS = /** @type {const} */ (["@safety", "@invariant"]);
const PAGE_TITLE = "Safety contracts";

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const blockTags = app.options.getValue("blockTags");
    for (const tag of TAGS) {
      if (!blockTags.includes(tag)) {
        app.logger.error(`${tag} is not a declared block tag: declare it in tsdoc.json's tagDefinitions`);
      }
    }
    renameModules(context.project);
  });

  /** @type {DocumentReflection | undefined} */
  let page;
  // Added before GroupPlugin (-100) runs, so the page is grouped and navigable like any document.
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    page = new DocumentReflection(PAGE_TITLE, context.project, [], {});
    context.project.addChild(page);
    context.project.registerReflection(page, undefined, undefined);
  });
  // Filled after LinkResolverPlugin (-300), so `{@link}`s copied from the tags are already resolved
  // relative to the API they were written on.
  app.converter.on(
    Converter.EVENT_RESOLVE_END,
    (context) => {
      if (!page) return;
      page.content = safetyPage(context.project);
      appendGuides(context.project);
      page = undefined;
    },
    -400,
  );
}

/** `index` becomes `ownkit`, `mm` becomes `ownkit/mm`, `lint` its import path `ownkit/eslint-plugin`; names set with `@module` stay. */
function renameModules(project) {
  for (const child of project.children ?? []) {
    if (!child.kindOf(ReflectionKind.Module)) continue;
    // With `basePath: "."` TypeDoc names the entry points by their directory (`src`, `src/mm`).
    const name = child.name === "src" ? "index" : child.name.replace(/^src\//, "");
    if (name === "index") child.name = PACKAGE;
    else if (SUBPATHS.has(name)) child.name = `${PACKAGE}/${SUBPATHS.get(name)}`;
  }
}

/** The page or anchor a tagged comment belongs to: signatures and their parts link to their declaration. */
function linkTarget(reflection) {
  let target = reflection;
  while (target.parent && !target.isDeclaration()) target = target.parent;
  return target;
}

function isInherited(reflection) {
  return Boolean(reflection.flags?.isInherited || reflection.inheritedFrom || reflection.parent?.inheritedFrom);
}

/** Every (target, tag content) pair carrying `tag`, sorted by full name. */
function collect(project, tag) {
  /** @type {Map<import("typedoc").Reflection, import("typedoc").CommentDisplayPart[][]>} */
  const found = new Map();
  for (const reflection of Object.values(project.reflections)) {
    if (reflection.isDocument() || isInherited(reflection)) continue;
    const blocks = reflection.comment?.blockTags.filter((block) => block.tag === tag) ?? [];
    if (blocks.length === 0) continue;
    const target = linkTarget(reflection);
    const list = found.get(target) ?? [];
    list.push(...blocks.map((block) => block.content));
    found.set(target, list);
  }
  return [...found.entries()]
    .map(([target, contents]) => ({ target, contents, name: nameInModule(target) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `KernelError.report`: the dotted name below the module (the module is named on its own line). */
function nameInModule(reflection) {
  const names = [];
  for (let current = reflection; current && !current.kindOf(ReflectionKind.SomeModule | ReflectionKind.Project); current = current.parent) {
    names.unshift(current.name);
  }
  return names.join(".") || reflection.name;
}

function moduleOf(reflection) {
  let current = reflection;
  while (current && !current.kindOf(ReflectionKind.Module)) current = current.parent;
  return current?.name;
}

const text = (value) => ({ kind: "text", text: value });
const link = (label, target) => ({ kind: "inline-tag", tag: "@link", text: label, target });

function section(project, tag, heading, intro, none) {
  const entries = collect(project, tag);
  /** @type {import("typedoc").CommentDisplayPart[]} */
  const parts = [text(`## ${heading}\n\n${intro}\n\n`)];
  if (entries.length === 0) parts.push(text(`${none}\n\n`));
  for (const { target, contents, name } of entries) {
    const where = moduleOf(target);
    const kind = ReflectionKind.singularString(target.kind).toLowerCase();
    parts.push(text("### "), link(name, target), text(`\n\n${kind}${where ? ` in \`${where}\`` : ""}\n\n`));
    for (const content of contents) {
      parts.push(...Comment.cloneDisplayParts(content), text("\n\n"));
    }
  }
  return parts;
}

function safetyPage(project) {
  return [
    text(
      `# ${PAGE_TITLE}\n\n` +
        "Generated from the API comments. An API marked `@safety` trusts its caller: it does not check " +
        "everything it relies on, and the contract below is what the caller must guarantee (usually " +
        "reached through an `Unsafe` token from `unsafe(\"SAFETY: ...\", fn)`). An `@invariant` is a " +
        "property a type keeps for as long as a value of it exists.\n\n",
    ),
    ...section(
      project,
      "@safety",
      "APIs that trust their caller",
      "Each entry links to the API; the text is its `@safety` contract.",
      "No API documents a `@safety` contract yet.",
    ),
    ...section(
      project,
      "@invariant",
      "Invariants",
      "Each entry links to the API; the text is its `@invariant`, one paragraph per invariant.",
      "No API documents an `@invariant` yet.",
    ),
  ];
}

/** Appends a "Guides" list with every project document (hand-written guides and the generated page). */
function appendGuides(project) {
  const documents = project.documents ?? [];
  if (documents.length === 0) return;
  /** @type {import("typedoc").CommentDisplayPart[]} */
  const parts = [text("\n\n## Guides\n\n")];
  // In the order of project.documents: the reading order (scripts/typedoc-site-plugin.mjs).
  for (const doc of documents) {
    parts.push(text("- "), link(doc.name, doc), text("\n"));
  }
  project.readme = [...(project.readme ?? []), ...parts];
}
