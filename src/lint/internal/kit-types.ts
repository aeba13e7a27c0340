/**
 * Recognising the kit's own types in a typed lint rule: by the file that declares them, not by name.
 *
 * @module
 */
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TSESTree } from "@typescript-eslint/utils";
import type ts from "typescript";

// This file sits at `<package>/src/lint/internal/` or `<package>/dist/lint/internal/`.
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..").replaceAll("\\", "/");

/** The package version, read from the package's own `package.json`. */
export const packageVersion: string = (createRequire(import.meta.url)("../../../package.json") as { version: string }).version;

/** The kit types whose values must be disposed of: owners, counted references and guards. */
export const DISPOSABLE_NAMES: ReadonlySet<string> = new Set(["Owned", "OwnedHandle", "ARef", "ARefHandle", "KmapLocal", "LockedFolio", "UniqueFolio"]);

/** Whether `fileName` is one of the kit's own source or declaration files. */
export function isKitFile(fileName: string): boolean {
  const path = fileName.replaceAll("\\", "/");
  return path.startsWith(`${packageRoot}/src/`) || path.startsWith(`${packageRoot}/dist/`) || /\/node_modules\/ownkit\/(src|dist)\//.test(path);
}

/** Whether `symbol` is declared in one of the kit's files. */
export function isKitSymbol(symbol: ts.Symbol | undefined): boolean {
  return symbol?.declarations?.some((d) => isKitFile(d.getSourceFile().fileName)) ?? false;
}

/** A kit type found in a type: the kit name that matched and how the whole type prints. */
export interface KitMatch {
  /** The kit declaration's name, such as `"Owned"` or `"KmapLocal"`. */
  readonly kit: string;
  /** The type as the compiler prints it, such as `"Owned<Page>"`. */
  readonly display: string;
}

/**
 * Finds a kit type named in `names` in `type`: the type itself (or its alias), a member of an
 * intersection (`Owned<Page>` is `Page & OwnedHandle<Page>`) or a member of a union (`T | null`).
 */
export function findKitType(type: ts.Type, checker: ts.TypeChecker, names: ReadonlySet<string> = DISPOSABLE_NAMES): KitMatch | undefined {
  const kit = matchKit(type, names, 0);
  return kit === undefined ? undefined : { kit, display: checker.typeToString(type) };
}

function matchKit(type: ts.Type, names: ReadonlySet<string>, depth: number): string | undefined {
  if (depth > 4) return undefined;
  const alias = type.aliasSymbol;
  if (alias !== undefined && names.has(alias.name) && isKitSymbol(alias)) return alias.name;
  const symbol = type.getSymbol();
  if (symbol !== undefined && names.has(symbol.name) && isKitSymbol(symbol)) return symbol.name;
  if (type.isUnionOrIntersection()) {
    for (const part of type.types) {
      const found = matchKit(part, names, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The name of a member access's property: `x.name`, `x["name"]`, or `"Symbol.dispose"` for `x[Symbol.dispose]`. */
export function memberName(member: TSESTree.MemberExpression): string | undefined {
  const property = member.property;
  if (!member.computed) return property.type === "Identifier" ? property.name : undefined;
  if (property.type === "Literal" && typeof property.value === "string") return property.value;
  if (
    property.type === "MemberExpression" &&
    !property.computed &&
    property.object.type === "Identifier" &&
    property.object.name === "Symbol" &&
    property.property.type === "Identifier"
  ) {
    return `Symbol.${property.property.name}`;
  }
  return undefined;
}

/** The `this.x`/`x` of a call `x.method(...)`, with the method's name, or `undefined` for other calls. */
export function methodCall(call: TSESTree.CallExpression): { receiver: TSESTree.Expression; method: string } | undefined {
  const callee = call.callee;
  if (callee.type !== "MemberExpression") return undefined;
  const method = memberName(callee);
  return method === undefined ? undefined : { receiver: callee.object, method };
}
