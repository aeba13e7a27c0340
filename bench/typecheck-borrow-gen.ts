/**
 * The consumer programs of the closure-borrow type-check rows: N closure borrows of a user resource
 * through the kit's generic `withBorrow` (a resource class, a `withTexture` API declared with
 * `Borrowed`/`NoEscape`, and calls of both), and the same program with plain classes and a plain
 * callback (no brands, no `NoEscape`).
 *
 * @module
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONSUMER_TSCONFIG, USES_PER_FILE, type Variant } from "./typecheck-gen.js";

/** The resource and its closure-scoped API, written against the kit. */
const KIT_API = `import { OwnableResource, adoptOwned, withBorrow, unsafe, type Borrowed, type NoEscape, type Owned } from "ownkit";

/** A user resource with a single owner. */
export class Texture extends OwnableResource {
  readonly width: number;
  readonly height: number;
  label = "";
  private constructor(width: number, height: number) {
    super();
    this.width = width;
    this.height = height;
  }
  /** Allocates a texture. */
  static alloc(width: number, height: number): Owned<Texture> {
    return unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, new Texture(width, height)));
  }
  /** The number of pixels. */
  pixels(): number {
    return this.width * this.height;
  }
  protected override drop(): void {}
}

/** Lends the texture to a closure; the borrow cannot escape. */
export function withTexture<Result>(owner: Owned<Texture>, body: <Lifetime>(view: Borrowed<Texture, Lifetime>) => NoEscape<Result, Lifetime>): Result {
  return withBorrow(owner, body);
}
export { withBorrow };
export type { Owned };
`;

/** The same resource and API with plain classes. */
const PLAIN_API = `/** A user resource. */
export class Texture {
  readonly width: number;
  readonly height: number;
  label = "";
  private constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
  }
  /** Allocates a texture. */
  static alloc(width: number, height: number): Texture {
    return new Texture(width, height);
  }
  /** The number of pixels. */
  pixels(): number {
    return this.width * this.height;
  }
  /** Frees the texture. */
  release(): void {}
}
/** An owned texture (the plain program has no ownership types). */
export type Owned<Resource> = Resource;

/** Lends a resource to a closure. */
export function withBorrow<Resource, Result>(resource: Resource, body: (borrow: Resource) => Result): Result {
  return body(resource);
}

/** Lends the texture to a closure. */
export function withTexture<Result>(owner: Texture, body: (view: Texture) => Result): Result {
  return withBorrow(owner, body);
}
`;

/**
 * One use: two closure borrows (the resource's own API and the generic `withBorrow`), reading
 * members and calling a method; identical text in both programs.
 *
 * @param i - The use's number.
 * @returns The source text.
 */
export function borrowUseSource(i: number): string {
  return `
/** Borrows the texture twice. */
export function use${i}(owner: Owned<Texture>): number {
  const area = withTexture(owner, (view) => view.pixels() + ${i});
  const label = withBorrow(owner, (view) => view.label.length + view.width);
  return area + label;
}
`;
}

/**
 * Writes a closure-borrow consumer project: the API file, N uses in files of `USES_PER_FILE`, and
 * for the kit a link to the repository as `node_modules/ownkit`.
 *
 * @param dir - The project directory (emptied first).
 * @param variant - `"kit"` or `"unbranded"` (plain classes).
 * @param n - The number of uses.
 * @param root - The repository root.
 */
export function writeBorrowProject(dir: string, variant: Variant, n: number, root: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "src"), { recursive: true });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: `ownkit-borrow-consumer-${variant}`, private: true, type: "module" }, null, 2)}\n`);
  writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
  if (variant === "kit") symlinkSync(root, join(dir, "node_modules", "ownkit"), "dir");
  writeFileSync(join(dir, "src", "texture.ts"), variant === "kit" ? KIT_API : PLAIN_API);
  const imports = `import { Texture, withBorrow, withTexture, type Owned } from "./texture.js";\n`;
  for (let start = 0; start < n; start += USES_PER_FILE) {
    let text = imports;
    for (let i = start; i < Math.min(n, start + USES_PER_FILE); i++) text += borrowUseSource(i);
    text += `/** Keeps the import alive. */\nexport const alloc${start} = Texture.alloc;\n`;
    writeFileSync(join(dir, "src", `uses-${String(start / USES_PER_FILE).padStart(4, "0")}.ts`), text);
  }
}
