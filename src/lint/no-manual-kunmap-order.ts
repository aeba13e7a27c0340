/**
 * `ownkit/no-manual-kunmap-order` (M18): a `kmapLocal` guard unmapped by hand while a later one is
 * still live.
 *
 * @module
 */
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import { ASTUtils, ESLintUtils } from "@typescript-eslint/utils";
import { createRule } from "./internal/create-rule.js";
import { findKitType, methodCall } from "./internal/kit-types.js";

const KMAP_LOCAL: ReadonlySet<string> = new Set(["KmapLocal"]);

/** A binding that holds a `KmapLocal`. */
interface Guard {
  readonly variable: TSESLint.Scope.Variable;
  readonly name: string;
  /** Where the declaration ends: the mapping is live from here. */
  readonly liveFrom: number;
  /** The statement list the binding belongs to: a `using` guard is live until its end. */
  readonly block: TSESTree.Node;
}

/** A manual `guard.unmap()` or `guard[Symbol.dispose]()`. */
interface ManualUnmap {
  readonly call: TSESTree.CallExpression;
  readonly variable: TSESLint.Scope.Variable;
  readonly name: string;
  readonly method: string;
}

/**
 * Flags a manual `guard.unmap()`/`guard[Symbol.dispose]()` of a `KmapLocal` while a `KmapLocal`
 * bound later, in a block that encloses the call, is still live (not yet unmapped by hand): local
 * mappings are released innermost first (M18). Also reports a `KmapLocal` bound with `const`/`let`,
 * with a suggestion to bind it with `using`.
 *
 * @example
 * ```ts
 * declare const a: Owned<Page>, b: Owned<Page>;
 *
 * using outer: KmapLocal = kmapLocal(a);
 * using inner: KmapLocal = kmapLocal(b); // fine: disposed inner first at the end of the block
 * outer.unmap(); // ownkit/no-manual-kunmap-order: `inner` is still live
 * ```
 */
export const noManualKunmapOrder = createRule({
  name: "no-manual-kunmap-order",
  meta: {
    type: "problem",
    hasSuggestions: true,
    docs: {
      description: "Forbid unmapping a kmapLocal guard by hand while a later local mapping is still live",
      misuse: "M18",
      requiresTypeChecking: true,
    },
    messages: {
      outOfOrder:
        "`{{name}}.{{method}}()` releases the local mapping `{{name}}` while the later mapping `{{inner}}` is still live; kmap_local mappings are released innermost first: unmap `{{inner}}` first, or bind both with `using`",
      preferUsing: "the KmapLocal `{{name}}` is bound with `{{kind}}`; bind it with `using` so it is unmapped innermost first at the end of the scope",
      useUsing: "Bind `{{name}}` with `using`",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    const guards: Guard[] = [];
    const unmaps: ManualUnmap[] = [];

    return {
      VariableDeclarator(declarator) {
        if (declarator.id.type !== "Identifier" || declarator.init === null) return;
        if (findKitType(services.getTypeAtLocation(declarator.id), checker, KMAP_LOCAL) === undefined) return;
        const declaration = declarator.parent;
        const variable = context.sourceCode.getDeclaredVariables(declarator).find((v) => v.name === (declarator.id as TSESTree.Identifier).name);
        if (variable === undefined) return;
        const name = declarator.id.name;
        guards.push({ variable, name, liveFrom: declarator.range[1], block: declaration.parent });
        if ((declaration.kind !== "const" && declaration.kind !== "let") || declaration.declarations.length !== 1) return;
        if (declaration.parent.type !== "BlockStatement" && declaration.parent.type !== "Program" && declaration.parent.type !== "SwitchCase") return;
        if (variable.references.some((r) => r.isWrite() && r.init !== true)) return; // reassigned: `using` cannot be
        const keyword = context.sourceCode.getFirstToken(declaration);
        context.report({
          node: declarator,
          messageId: "preferUsing",
          data: { name, kind: declaration.kind },
          suggest:
            keyword === null
              ? []
              : [{ messageId: "useUsing", data: { name }, fix: (fixer) => fixer.replaceText(keyword, "using") }],
        });
      },
      CallExpression(call) {
        const target = methodCall(call);
        if (target === undefined || (target.method !== "unmap" && target.method !== "Symbol.dispose")) return;
        if (target.receiver.type !== "Identifier") return;
        const variable = ASTUtils.findVariable(context.sourceCode.getScope(target.receiver), target.receiver);
        if (variable === null) return;
        const method = target.method === "unmap" ? "unmap" : "[Symbol.dispose]";
        unmaps.push({ call, variable, name: target.receiver.name, method });
      },
      "Program:exit"() {
        for (const unmap of unmaps) {
          const guard = guards.find((g) => g.variable === unmap.variable);
          if (guard === undefined) continue;
          const at = unmap.call.range[0];
          const stillLive = guards.filter(
            (later) =>
              later !== guard &&
              later.liveFrom > guard.liveFrom &&
              later.liveFrom <= at &&
              later.block.range[0] <= at &&
              at < later.block.range[1] &&
              !unmaps.some((u) => u.variable === later.variable && u.call.range[1] <= at),
          );
          const inner = stillLive.at(-1);
          if (inner === undefined) continue;
          context.report({ node: unmap.call, messageId: "outOfOrder", data: { name: unmap.name, method: unmap.method, inner: inner.name } });
        }
      },
    };
  },
});
