/**
 * Recognising what a mapping lends (page and folio views, map guards, other lifetime-branded
 * borrows) by the kit's lifetime brand and declaring files, not by name alone.
 *
 * @module
 */
import type ts from "typescript";
import { isKitFile, isKitSymbol } from "./kit-types.js";

/**
 * The kit's view and guard type names, recognised when the type is declared in a kit file even if a
 * redeclaration drops the {@link lentKind | lifetime brand} property.
 */
const KIT_VIEW_NAMES: ReadonlySet<string> = new Set(["PageView", "ReadonlyPageView", "FolioView", "ReadonlyFolioView", "MappedView", "MapGuard"]);

/** Whether `property` is the kit's lifetime brand: the `[lifetimeBrand]` key, declared in a kit file. */
function isLifetimeBrand(property: ts.Symbol): boolean {
  // A property keyed by the unique symbol `lifetimeBrand` has the escaped name `__@lifetimeBrand@<id>`.
  return /^__@lifetimeBrand@/.test(String(property.escapedName)) && (property.declarations?.some((d) => isKitFile(d.getSourceFile().fileName)) ?? false);
}

/** The kit name of `type`: its alias or its declared symbol, when a kit file declares it. */
function kitName(type: ts.Type): string | undefined {
  for (const symbol of [type.aliasSymbol, type.getSymbol()]) {
    if (symbol !== undefined && isKitSymbol(symbol)) return symbol.name;
  }
  return undefined;
}

/**
 * What kind of lent value `type` is, by the kit's lifetime brand or by a kit view type's name and
 * declaring file: `"PageView"`, `"FolioView"`, `"ReadonlyFolioView"`, `"MapGuard"`, `"Unsafe"`,
 * `"Borrowed"`, ...; `undefined` for anything else. A union (`BorrowedPage<L> | null`) is lent when
 * one of its members is.
 */
export function lentKind(type: ts.Type, checker: ts.TypeChecker): string | undefined {
  return kindOf(type, checker, 0);
}

function kindOf(type: ts.Type, checker: ts.TypeChecker, depth: number): string | undefined {
  if (depth > 3) return undefined;
  if (type.isUnion()) {
    for (const part of type.types) {
      const found = kindOf(part, checker, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const name = kitName(type);
  if (name !== undefined && KIT_VIEW_NAMES.has(name)) return name;
  const apparent = checker.getApparentType(type);
  if (!checker.getPropertiesOfType(apparent).some(isLifetimeBrand)) return undefined;
  // `Borrowed<Resource, L>` resolves to its helper alias `BorrowedResource`; name it as users write it.
  if (name !== undefined) return name === "BorrowedResource" ? "Borrowed" : name;
  if (type.isIntersection()) {
    // `Borrowed<Resource, L>` without its alias: name it by the resource's kit or user type.
    const named = type.types.map((part) => part.aliasSymbol?.name ?? part.getSymbol()?.name).find((n) => n !== undefined && n !== "LifetimeBrand");
    if (named !== undefined) return `borrowed ${named}`;
  }
  return checker.typeToString(type);
}

/** Whether `type` is a typed array or a `DataView`: writing a view into one with `set` copies it. */
export function isByteContainer(type: ts.Type, checker: ts.TypeChecker): boolean {
  const apparent = checker.getApparentType(type);
  return apparent.getProperty("BYTES_PER_ELEMENT") !== undefined || apparent.getProperty("getUint8") !== undefined;
}
