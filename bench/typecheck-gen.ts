/**
 * The consumer programs of the type-check benchmark: N small functions ("uses") that allocate,
 * write, map, read, borrow and move pages and folios through the kit's public types, and the same
 * program against an unbranded declaration file of the same shape (plain `number`/`Uint8Array`
 * types, no brands, no assertion signatures, no `NoEscape`).
 *
 * @module
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Which API the program is written against. */
export type Variant = "kit" | "unbranded";

/** Uses per generated source file. */
export const USES_PER_FILE = 100;

/**
 * The unbranded API: the kit's shape with plain types, as a hand-written library would declare it.
 */
export const UNBRANDED_DTS = `/** The kit's page and folio API with plain types: no brands, no assertion signatures, no NoEscape. */
export declare const GFP_KERNEL: number;
export declare const __GFP_ZERO: number;
export type Owned<Resource> = Resource & { release(): void; [Symbol.dispose](): void };
export declare class Page {
  private constructor();
  readonly pfn: number;
  static alloc(gfp: number): Owned<Page>;
  phys(): number;
  write(offset: number, bytes: Uint8Array): void;
  read(offset: number, length: number): Uint8Array;
  read(offset: number, into: Uint8Array): Uint8Array;
  fillZero(offset: number, len: number): void;
  withPageMapped<Result>(fn: (view: Uint8Array) => Result): Result;
  withPointerIntoPage<Result>(offset: number, len: number, fn: (view: Uint8Array) => Result): Result;
}
export declare class KmapLocal implements Disposable {
  private constructor();
  readonly id: number;
  readonly view: Uint8Array;
  readonly live: boolean;
  unmap(): void;
  [Symbol.dispose](): void;
}
export declare function kmapLocal(page: Page, offset?: number): KmapLocal;
export declare class MapGuard {
  private constructor();
  readonly offset: number;
  readonly view: Uint8Array;
  readonly length: number;
}
export declare class Folio {
  private constructor();
  static alloc(order: number, gfp?: number): UniqueFolio;
  readonly size: number;
  readonly order: number;
  readonly uptodate: boolean;
  lock(): LockedFolio;
  map<Result>(offset: number, body: (guard: MapGuard) => Result): Result;
  memcpyFromFolio(dst: Uint8Array, offset: number): void;
}
export interface UniqueFolio extends Folio, Disposable {
  mapMut<Result>(offset: number, body: (guard: MapGuard) => Result): Result;
  write(offset: number, src: Uint8Array): void;
  zeroOut(offset: number, length: number): void;
  intoShared(): void;
  release(): void;
}
export declare class LockedFolio implements Disposable {
  private constructor();
  readonly folio: Folio;
  readonly size: number;
  markUptodate(): void;
  write(offset: number, src: Uint8Array): void;
  zeroOut(offset: number, length: number): void;
  memcpyFromFolio(dst: Uint8Array, offset: number): void;
  map<Result>(offset: number, body: (guard: MapGuard) => Result): Result;
  mapMut<Result>(offset: number, body: (guard: MapGuard) => Result): Result;
  unlock(): void;
  [Symbol.dispose](): void;
}
`;

const IMPORTS = `import { Folio, GFP_KERNEL, Page, __GFP_ZERO, kmapLocal, type KmapLocal, type LockedFolio, type Owned, type UniqueFolio } from "ownkit";\n`;

/**
 * One use: a function that allocates a page, writes it, maps it in a closure, reads it, lends it to
 * a borrowing function, moves a second page into a consuming function, and does the same with a
 * folio (`mapMut`, `map`, `lock` with `using`).
 *
 * @param variant - The API the program is written against; only the move's signature differs.
 * @param i - The use's number.
 * @returns The source text.
 */
export function useSource(variant: Variant, i: number): string {
  const moved = variant === "kit" ? "asserts page is never" : "void";
  const at = i % 64;
  return `
/** Borrows a page: reads it through a local mapping; the caller keeps ownership. */
function peek${i}(page: Page): number {
  using map: KmapLocal = kmapLocal(page);
  return map.view[${at}] ?? 0;
}

/** Takes ownership of a page and frees it. */
function consume${i}(page: Owned<Page>): ${moved} {
  page.release();
}

/** Allocates, writes, maps, reads, borrows and moves pages and a folio. */
export function use${i}(seed: Uint8Array): number {
  using page: Owned<Page> = Page.alloc(GFP_KERNEL | __GFP_ZERO);
  page.write(${at}, seed);
  const first = page.withPageMapped((view) => view[${at}] ?? 0);
  const copy = page.read(0, seed.length);
  const peeked = peek${i}(page);
  const next: Owned<Page> = Page.alloc(GFP_KERNEL);
  next.write(0, copy);
  consume${i}(next);
  using folio: UniqueFolio = Folio.alloc(1);
  folio.mapMut(${at}, (guard) => {
    guard.view.set(seed.subarray(0, 8));
  });
  const mapped = folio.map(0, (guard) => guard.view[${at}] ?? 0);
  {
    using locked: LockedFolio = folio.lock();
    locked.write(0, copy);
  }
  return first + peeked + mapped + copy.length;
}
`;
}

/**
 * The source files of a program with `n` uses, `USES_PER_FILE` per file, plus one entry file.
 *
 * @param variant - The API.
 * @param n - The number of uses (0 gives only the imports: the fixed cost).
 * @returns File name to source text.
 */
export function programFiles(variant: Variant, n: number): Map<string, string> {
  const files = new Map<string, string>();
  files.set("main.ts", `${IMPORTS}\n/** Keeps the imports alive in an empty program. */\nexport const api = [Folio, Page, kmapLocal, GFP_KERNEL, __GFP_ZERO] as const;\nexport type Api = [KmapLocal, LockedFolio, Owned<Page>, UniqueFolio];\n`);
  for (let start = 0; start < n; start += USES_PER_FILE) {
    const end = Math.min(n, start + USES_PER_FILE);
    let text = IMPORTS;
    for (let i = start; i < end; i++) text += useSource(variant, i);
    files.set(`uses-${String(start / USES_PER_FILE).padStart(4, "0")}.ts`, text);
  }
  return files;
}

/** The compiler options of the consumer programs: strict, NodeNext, no Node types. */
export const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022", "ESNext.Disposable"],
    types: [],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    noEmit: true,
  },
  include: ["src"],
};

/**
 * Writes a consumer project: `package.json`, `tsconfig.json`, `src/` and `node_modules/ownkit`
 * (a link to the repository for the kit, whose `exports` give `dist/index.d.ts`; the unbranded
 * declaration file otherwise).
 *
 * @param dir - The project directory (emptied first).
 * @param variant - The API.
 * @param n - The number of uses.
 * @param root - The repository root (for the kit's package).
 */
export function writeProject(dir: string, variant: Variant, n: number, root: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "src"), { recursive: true });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  // Its own package scope, so "ownkit" resolves through node_modules, not the repository's self-reference.
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: `ownkit-consumer-${variant}`, private: true, type: "module" }, null, 2)}\n`);
  writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
  if (variant === "kit") {
    symlinkSync(root, join(dir, "node_modules", "ownkit"), "dir");
  } else {
    const pkg = join(dir, "node_modules", "ownkit");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, "package.json"), `${JSON.stringify({ name: "ownkit", type: "module", exports: { ".": { types: "./index.d.ts" } } }, null, 2)}\n`);
    writeFileSync(join(pkg, "index.d.ts"), UNBRANDED_DTS);
  }
  for (const [name, text] of programFiles(variant, n)) writeFileSync(join(dir, "src", name), text);
}
