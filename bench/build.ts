/**
 * Makes sure the built package (`dist/`) is current: the runtime suites measure the package as a
 * consumer runs it (`tsc` output imported as `ownkit`), and the type-check suite reads its
 * declarations.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds `dist/` with the TypeScript compiler when a source file is newer than the build.
 *
 * @param force - Build even when the build looks current.
 * @returns Whether a build ran.
 * @throws Error when the build fails.
 */
export function ensureBuild(force = false): boolean {
  let built = 0;
  try {
    built = statSync(join(ROOT, "dist", "index.js")).mtimeMs;
  } catch {
    built = 0;
  }
  if (!force && built >= newestMtime(join(ROOT, "src"))) return false;
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")], { cwd: ROOT, stdio: "inherit" });
  return true;
}
