/**
 * `ownkit/bind-disposables` (M16): a kit disposable that is created and then dropped.
 *
 * @module
 */
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import { ESLintUtils } from "@typescript-eslint/utils";
import { createRule } from "./internal/create-rule.js";
import { findKitType, memberName } from "./internal/kit-types.js";

/** The methods that end a kit disposable: called on a binding, it counts as released. */
const RELEASING = new Set(["release", "put", "unlock", "unmap", "Symbol.dispose"]);

/** Where a value ends up, seen from the expression that produced it. */
type Fate =
  | { readonly kind: "dropped" }
  | { readonly kind: "kept" }
  | { readonly kind: "bound"; readonly declarator: TSESTree.VariableDeclarator };

/** Follows `node` up through the wrappers that pass a value on unchanged and says where it lands. */
function fateOf(node: TSESTree.Node): Fate {
  let current: TSESTree.Node = node;
  for (let parent = node.parent; parent !== undefined; current = parent, parent = parent.parent) {
    switch (parent.type) {
      case "ChainExpression":
      case "TSAsExpression":
      case "TSNonNullExpression":
      case "TSSatisfiesExpression":
      case "TSTypeAssertion":
      case "AwaitExpression":
      case "LogicalExpression":
        continue;
      case "ConditionalExpression":
        if (parent.test === current) return { kind: "kept" };
        continue;
      case "SequenceExpression":
        if (parent.expressions.at(-1) === current) continue;
        return { kind: "dropped" };
      case "ExpressionStatement":
        return { kind: "dropped" };
      case "UnaryExpression":
        return parent.operator === "void" ? { kind: "dropped" } : { kind: "kept" };
      case "MemberExpression": {
        if (parent.object !== current) return { kind: "kept" };
        const name = memberName(parent);
        // `x.release()` ends it; any other member use (`kmapLocal(p).view`, `f.lock().write(...)`) drops it.
        return name !== undefined && RELEASING.has(name) ? { kind: "kept" } : { kind: "dropped" };
      }
      case "VariableDeclarator":
        return parent.init === current ? { kind: "bound", declarator: parent } : { kind: "kept" };
      default:
        // Returned, passed as an argument, assigned, stored in an object or array, yielded, thrown...
        return { kind: "kept" };
    }
  }
  return { kind: "kept" };
}

/** Whether a binding declared by `declarator` is released, returned or passed on somewhere. */
function bindingIsDisposedOf(declarator: TSESTree.VariableDeclarator, sourceCode: Readonly<TSESLint.SourceCode>): boolean {
  const declaration = declarator.parent;
  if (declaration.type !== "VariableDeclaration") return true;
  if (declaration.kind === "using" || declaration.kind === "await using") return true;
  if (declaration.parent.type === "ExportNamedDeclaration") return true;
  if (declarator.id.type !== "Identifier") return true; // destructured: not followed
  const variable = sourceCode.getDeclaredVariables(declarator).find((v) => v.name === (declarator.id as TSESTree.Identifier).name);
  if (variable === undefined) return true;
  return variable.references.some((reference) => {
    if (reference.init === true || !reference.isRead()) return false;
    return fateOf(reference.identifier).kind !== "dropped";
  });
}

/**
 * Flags a call whose result is a kit disposable (`Owned<…>`, `ARef<…>`, `KmapLocal`, `LockedFolio`,
 * `UniqueFolio`) when the result is discarded, or bound with `const`/`let` to a name that is never
 * released (`release`/`put`/`unlock`/`unmap`/`[Symbol.dispose]`), returned or passed on (M16).
 *
 * @example
 * ```ts
 * using page: Owned<Page> = Page.alloc(GFP_KERNEL); // fine
 * Page.alloc(GFP_KERNEL); // ownkit/bind-disposables: this Owned<Page> is never bound with `using` or released
 * ```
 */
export const bindDisposables = createRule({
  name: "bind-disposables",
  meta: {
    type: "problem",
    docs: {
      description: "Require every kit disposable (owner, counted reference, guard) to be bound with `using`, released or passed on",
      misuse: "M16",
      requiresTypeChecking: true,
    },
    messages: {
      dropped: "this {{type}} is never bound with `using` or released; bind it with `using`",
      neverReleased: "this {{type}} is bound to `{{name}}` but never released, returned or passed on; bind it with `using`",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    return {
      CallExpression(node) {
        const fate = fateOf(node);
        if (fate.kind === "kept") return;
        if (fate.kind === "bound" && bindingIsDisposedOf(fate.declarator, context.sourceCode)) return;
        const match = findKitType(services.getTypeAtLocation(node), checker);
        if (match === undefined) return;
        if (fate.kind === "dropped") {
          context.report({ node, messageId: "dropped", data: { type: match.display } });
        } else {
          const name = fate.declarator.id.type === "Identifier" ? fate.declarator.id.name : "?";
          context.report({ node, messageId: "neverReleased", data: { type: match.display, name } });
        }
      },
    };
  },
});
