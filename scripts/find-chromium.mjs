// Finds a Chromium for the docs browser check: $OWNKIT_CHROMIUM, a system Chrome/Chromium, or
// playwright's own download; installs Debian's `chromium` package only where that can work (Debian
// or Ubuntu, as root or with password-less sudo; never with OWNKIT_CHROMIUM_INSTALL=0). Returns a path, or the one line to print instead.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { chromium } from "playwright-core";

const NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];
const FIXED = [
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
  "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
];
export const HOW_TO =
  "no Chromium found: set OWNKIT_CHROMIUM=/path/to/chrome or run `npx playwright-core install chromium`; " +
  "the docs site was still built with zero warnings, but its browser checks did not run";

function onPath() {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of NAMES) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function playwrights() {
  try {
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Installs Debian's chromium where possible; returns whether it ran. */
function installDebian(log) {
  if (process.env.OWNKIT_CHROMIUM_INSTALL === "0") return false;
  if (!existsSync("/etc/debian_version") || spawnSync("apt-get", ["--version"]).status !== 0) return false;
  const asRoot = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  if (asRoot.length > 0 && spawnSync("sudo", ["-n", "true"]).status !== 0) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]]) {
    const command = [...asRoot, ...args];
    log(`no Chromium found; running: ${command.join(" ")}`);
    if (spawnSync(command[0], command.slice(1), { stdio: "inherit", env }).status !== 0) return false;
  }
  return true;
}

/**
 * @param {(line: string) => void} log
 * @returns {{ path: string } | { path: undefined, reason: string }}
 */
export function findChromium(log) {
  const chosen = process.env.OWNKIT_CHROMIUM;
  if (chosen) return existsSync(chosen) ? { path: chosen } : { path: undefined, reason: `OWNKIT_CHROMIUM=${chosen} does not exist` };
  const found = onPath() ?? FIXED.find((path) => existsSync(path)) ?? playwrights();
  if (found) return { path: found };
  if (installDebian(log)) {
    const installed = onPath();
    if (installed) return { path: installed };
    return { path: undefined, reason: "apt-get installed chromium, but no chromium binary is on PATH" };
  }
  return { path: undefined, reason: HOW_TO };
}
