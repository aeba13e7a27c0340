// The lint recipe for a TypeScript 7 project, checked as part of the consumer matrix: typescript-eslint
// needs the TypeScript JS API, which 7.0 does not have, so the project keeps `typescript` at 6.0 and
// installs 7.0 beside it under an alias (`ts7`) for `tsc`. The project is assembled from this
// repository's node_modules by symbolic links and run with `--preserve-symlinks`, so every package
// resolves `typescript` from the project, as in a real install.
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const CONFIG = `import tsParser from "@typescript-eslint/parser";
import ownkit from "ownkit/eslint-plugin";
export default [
  ownkit.configs.recommended,
  { files: ["**/*.ts"], languageOptions: { parser: tsParser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
];
`;
const TSCONFIG = { compilerOptions: { strict: true, target: "ES2022", lib: ["ES2022", "ESNext.Disposable"], types: [], module: "NodeNext", moduleResolution: "NodeNext", noEmit: true }, include: ["src"] };

/** A project with `typescript` linked to `typescriptDir` and `ts7` to TypeScript 7.0. */
function assemble(root, dir, installed, typescriptDir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  const shared = join(root, "node_modules");
  for (const name of readdirSync(shared)) {
    if (["typescript", "ts52", "ts60", "ts7", "ownkit", ".bin", ".package-lock.json"].includes(name)) continue;
    symlinkSync(join(shared, name), join(dir, "node_modules", name));
  }
  symlinkSync(join(shared, typescriptDir), join(dir, "node_modules/typescript"));
  symlinkSync(join(shared, "ts7"), join(dir, "node_modules/ts7"));
  cpSync(installed, join(dir, "node_modules/ownkit"), { recursive: true });
  cpSync(join(root, "test/fixtures/consumers/lint-ts7"), join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer-lint", private: true, type: "module" }));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG));
  writeFileSync(join(dir, "eslint.config.js"), CONFIG);
}

/**
 * Checks the recipe, and that without it the linter stops with typescript-eslint's message.
 *
 * @param {{ root: string, work: string, installed: string, check: Function, exec: Function, firstLines: Function }} context
 */
export async function checkLintRecipe({ root, work, installed, check, exec, firstLines }) {
  const good = join(work, "lint-ts7");
  assemble(root, good, installed, "ts60");
  const eslint = ["--preserve-symlinks", "node_modules/eslint/bin/eslint.js", "--format", "json", "src"];
  const [lint, tsc] = await Promise.all([
    exec(process.execPath, eslint, good),
    exec(process.execPath, ["--preserve-symlinks", "node_modules/ts7/bin/tsc", "-p", "."], good),
  ]);
  let messages = [];
  try {
    messages = JSON.parse(lint.output).flatMap((file) => file.messages.map((message) => `${file.filePath.split("/").pop()}:${message.line} ${message.ruleId}`));
  } catch {
    messages = [lint.output];
  }
  const flagged = messages.length === 1 && messages[0] === "leak.ts:6 ownkit/bind-disposables";
  check("lint recipe for TypeScript 7 (typescript@6.0 + ts7 alias): ownkit/bind-disposables flags the leak", lint.code === 1 && flagged, flagged ? "" : `exit ${lint.code}: ${firstLines(messages.join("\n"))}`);
  check("lint recipe for TypeScript 7: node_modules/ts7/bin/tsc type-checks the same project", tsc.code === 0, tsc.code === 0 ? "" : firstLines(tsc.output));
  const bad = join(work, "lint-ts7-only");
  assemble(root, bad, installed, "ts7");
  const refused = await exec(process.execPath, eslint, bad);
  const said = refused.output.includes("typescript-eslint does not support TS 7.0");
  check("without the recipe (typescript is 7.0) typescript-eslint refuses to run and says why", refused.code !== 0 && said, said ? `exit ${refused.code}` : firstLines(refused.output));
}
