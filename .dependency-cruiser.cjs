/**
 * dependency-cruiser rules of the kit's layering (CONTRIBUTING.md, "Layout" and "Friend access"):
 * no import circles, type-only imports included, and the floors of src/.
 *
 * Run: `npx depcruise src` (the config is found by name); `test/scripts/layering.test.ts` runs the
 * same rules through the API.
 */
/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import circle (type-only imports count) ties files of different concepts together; merge them into one concept or move the shared part into a lower internal/ module.",
      from: {},
      to: { circular: true },
    },
    {
      name: "ownership-is-generic",
      severity: "error",
      comment: "ownership/ holds generic primitives: it imports nothing from mm/ or core/.",
      from: { path: "^src/ownership/" },
      to: { path: "^src/(mm|core)/" },
    },
    {
      name: "core-is-below-mm",
      severity: "error",
      comment: "core/ is the runtime simulator under mm/: it imports nothing from mm/ or ownership/.",
      from: { path: "^src/core/" },
      to: { path: "^src/(mm|ownership)/" },
    },
    {
      name: "mm-uses-core-index",
      severity: "error",
      comment: "mm/ reaches the core only through its public entry, src/core/index.ts.",
      from: { path: "^src/mm/" },
      to: { path: "^src/core/", pathNot: "^src/core/index\\.ts$" },
    },
    {
      name: "mm-floor",
      severity: "error",
      comment: "Inside mm/, internal/, units/ and view/ are the floor: they import nothing from page/ or folio/.",
      from: { path: "^src/mm/(internal|units|view)/" },
      to: { path: "^src/mm/(page|folio)/" },
    },
    {
      name: "mm-page-folio-apart",
      severity: "error",
      comment: "mm/page/ and mm/folio/ are two concepts side by side: neither imports the other.",
      from: { path: "^src/mm/(page|folio)/" },
      to: { path: "^src/mm/(page|folio)/", pathNot: "^src/mm/$1/" },
    },
    {
      name: "floor-args-errors",
      severity: "error",
      comment: "src/args.ts and src/errors.ts are the lowest floor: errors.ts imports nothing of the kit, args.ts only errors.ts.",
      from: { path: "^src/(args|errors)\\.ts$" },
      to: { path: "^src/", pathNot: "^src/errors\\.ts$" },
    },
    {
      name: "errors-imports-nothing",
      severity: "error",
      comment: "src/errors.ts is the floor under args.ts: it imports nothing of the kit.",
      from: { path: "^src/errors\\.ts$" },
      to: { path: "^src/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
