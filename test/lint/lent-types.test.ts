// no-view-escape recognises lent values by the kit's lifetime brand and by the kit's view names in
// kit files, so it keeps working when the view interfaces are redeclared. Checked on an in-memory
// program whose "kit" files sit under this package's src/ (where isKitFile looks) without existing.
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { lentKind } from "../../src/lint/internal/lent-types.js";

const root = fileURLToPath(new URL("../../", import.meta.url)).replaceAll("\\", "/");

const files: Record<string, string> = {
  // A redeclaration as a colleague might write it: explicit members, the brand keyed by the kit's symbol.
  [`${root}src/mm/__redeclared.ts`]: `import { lifetimeBrand } from "../ownership/capabilities.js";
export interface ByteReads { readonly length: number; readonly [index: number]: number | undefined; slice(): Uint8Array }
export interface PageView<Lifetime> extends ByteReads { readonly [lifetimeBrand]: (lifetime: Lifetime) => Lifetime }
export interface ScratchBytes<Lifetime> extends ByteReads { readonly [lifetimeBrand]: (lifetime: Lifetime) => Lifetime }
export interface FolioView<Lifetime> extends ByteReads { readonly tag?: Lifetime }
export interface Plain extends ByteReads {}
`,
  [`${root}.tmp/__user.ts`]: `import type { PageView as KitView, ScratchBytes, FolioView, Plain } from "../src/mm/__redeclared.js";
declare const lifetimeBrand: unique symbol;
interface PageView<Lifetime> { readonly length: number; readonly [lifetimeBrand]: (lifetime: Lifetime) => Lifetime }
export declare const kit: KitView<1>;
export declare const kitOrNull: KitView<1> | null;
export declare const renamed: ScratchBytes<1>;
export declare const named: FolioView<1>;
export declare const plain: Plain;
export declare const user: PageView<1>;
export declare const bytes: Uint8Array;
`,
};

function kinds(): Record<string, string | undefined> {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true, lib: ["lib.es2022.d.ts"], types: [] };
  const host = ts.createCompilerHost(options);
  const virtual = (name: string): string | undefined => files[name.replaceAll("\\", "/")] ?? files[name.replaceAll("\\", "/").replace(/\.js$/, ".ts")];
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => virtual(name) !== undefined || fileExists.call(host, name);
  host.readFile = (name) => virtual(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, language, ...rest) => {
    const text = virtual(name);
    return text === undefined ? getSourceFile.call(host, name, language, ...rest) : ts.createSourceFile(name, text, language);
  };
  const userFile = `${root}.tmp/__user.ts`;
  const program = ts.createProgram([userFile], options, host);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(userFile);
  if (source === undefined) throw new Error("the in-memory program has no user file");
  const found: Record<string, string | undefined> = {};
  source.forEachChild((statement) => {
    if (!ts.isVariableStatement(statement)) return;
    for (const declaration of statement.declarationList.declarations) {
      found[declaration.name.getText(source)] = lentKind(checker.getTypeAtLocation(declaration.name), checker);
    }
  });
  return found;
}

describe("lentKind: what no-view-escape treats as lent", () => {
  // Type-checks a small program with the standard library: allow for a busy machine.
  it("follows redeclared kit views by the kit's brand or by a kit view name, and nothing of the user's", { timeout: 60_000 }, () => {
    expect(kinds()).toEqual({
      kit: "PageView",
      kitOrNull: "PageView",
      renamed: "ScratchBytes",
      named: "FolioView",
      plain: undefined,
      user: undefined,
      bytes: undefined,
    });
  });
});
