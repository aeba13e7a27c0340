/**
 * `ownkit/no-exclusive-while-borrowed` (M17): exclusive use of an owner inside the closure of one of
 * its own mappings.
 *
 * @module
 */
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import { ASTUtils, ESLintUtils } from "@typescript-eslint/utils";
import { createRule } from "./internal/create-rule.js";
import { findKitType, isKitSymbol, methodCall } from "./internal/kit-types.js";

/** The mapping methods of a `UniqueFolio`: their closure runs while a mapping of it is live. */
const FOLIO_MAPPINGS = new Set(["map", "mapMut", "forEachChunk", "forEachChunkMut"]);
/** The closure-scoped mappings of a page. */
const PAGE_MAPPINGS = new Set(["withPageMapped", "withPointerIntoPage"]);
/** What a `UniqueFolio` refuses (`EBUSY`) while any mapping of it is live. */
const FOLIO_EXCLUSIVE = new Set(["write", "zeroOut", "memcpyToFolio", "mapMut", "forEachChunkMut", "intoShared", "release", "Symbol.dispose"]);
/** What ends a page's owner, which must not happen while the page is mapped. */
const PAGE_EXCLUSIVE = new Set(["release", "Symbol.dispose"]);
/** Parameter types that take the owner itself: passing the binding there is exclusive use. */
const OWNING_PARAMETERS: ReadonlySet<string> = new Set(["UniqueFolio", "Owned", "OwnedHandle"]);
const UNIQUE_FOLIO: ReadonlySet<string> = new Set(["UniqueFolio"]);

/** A mapping whose closure the linter is inside of. */
interface LiveBorrow {
  readonly closure: TSESTree.Node;
  readonly variable: TSESLint.Scope.Variable;
  readonly name: string;
  readonly exclusive: ReadonlySet<string>;
  readonly borrow: string;
}

/**
 * Flags, inside the closure of `unique.map`/`mapMut`/`forEachChunk`/`forEachChunkMut` on a
 * `UniqueFolio` or of `page.withPageMapped`/`withPointerIntoPage`, an exclusive operation on the same
 * binding (`write`, `zeroOut`, `memcpyToFolio`, `mapMut`, `forEachChunkMut`, `intoShared`, `release`,
 * disposal) or passing the binding to a parameter typed `UniqueFolio` or `Owned<…>` (M17).
 *
 * @example
 * ```ts
 * declare const unique: UniqueFolio;
 *
 * const header = unique.map(0, ({ view }) => view.slice(0, 16));
 * unique.write(16, header); // fine: the mapping ended with its closure
 * unique.map(0, ({ view }) => unique.write(16, view.slice(0, 4))); // ownkit/no-exclusive-while-borrowed
 * ```
 */
export const noExclusiveWhileBorrowed = createRule({
  name: "no-exclusive-while-borrowed",
  meta: {
    type: "problem",
    docs: {
      description: "Forbid exclusive use of a UniqueFolio or page owner inside the closure of one of its own mappings",
      misuse: "M17",
      requiresTypeChecking: true,
    },
    messages: {
      exclusiveCall: "`{{name}}.{{op}}()` is exclusive use of `{{name}}` while its mapping `{{borrow}}` is live; move it after the closure",
      passedOwner:
        "passing `{{name}}` as a `{{parameter}}` is exclusive use of `{{name}}` while its mapping `{{borrow}}` is live; move it after the closure",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    const live: LiveBorrow[] = [];

    const variableOf = (node: TSESTree.Node): TSESLint.Scope.Variable | undefined =>
      node.type === "Identifier" ? (ASTUtils.findVariable(context.sourceCode.getScope(node), node) ?? undefined) : undefined;

    /** The borrow a mapping call starts, when `closure` is its body argument. */
    const borrowStartedBy = (closure: TSESTree.Node): LiveBorrow | undefined => {
      const call = closure.parent;
      if (call?.type !== "CallExpression" || !call.arguments.includes(closure as TSESTree.CallExpressionArgument)) return undefined;
      const target = methodCall(call);
      if (target === undefined || target.receiver.type !== "Identifier") return undefined;
      const variable = variableOf(target.receiver);
      if (variable === undefined) return undefined;
      const name = target.receiver.name;
      const borrow = `${name}.${target.method}()`;
      if (FOLIO_MAPPINGS.has(target.method)) {
        if (findKitType(services.getTypeAtLocation(target.receiver), checker, UNIQUE_FOLIO) === undefined) return undefined;
        return { closure, variable, name, exclusive: FOLIO_EXCLUSIVE, borrow };
      }
      if (PAGE_MAPPINGS.has(target.method)) {
        if (call.callee.type !== "MemberExpression") return undefined;
        const method = checker.getSymbolAtLocation(services.esTreeNodeToTSNodeMap.get(call.callee.property));
        if (!isKitSymbol(method)) return undefined;
        return { closure, variable, name, exclusive: PAGE_EXCLUSIVE, borrow };
      }
      return undefined;
    };

    const enter = (node: TSESTree.Node): void => {
      const borrow = borrowStartedBy(node);
      if (borrow !== undefined) live.push(borrow);
    };
    const exit = (node: TSESTree.Node): void => {
      if (live.at(-1)?.closure === node) live.pop();
    };

    const check = (call: TSESTree.CallExpression): void => {
      if (live.length === 0) return;
      const target = methodCall(call);
      if (target !== undefined) {
        const variable = variableOf(target.receiver);
        const borrow = live.find((b) => b.variable === variable && b.exclusive.has(target.method));
        if (borrow !== undefined) {
          const op = target.method === "Symbol.dispose" ? "[Symbol.dispose]" : target.method;
          context.report({ node: call, messageId: "exclusiveCall", data: { name: borrow.name, op, borrow: borrow.borrow } });
          return;
        }
      }
      const tsCall = services.esTreeNodeToTSNodeMap.get(call);
      call.arguments.forEach((argument, index) => {
        const variable = variableOf(argument);
        const borrow = variable === undefined ? undefined : live.find((b) => b.variable === variable);
        if (borrow === undefined) return;
        const parameter = checker.getResolvedSignature(tsCall)?.getParameters()[index];
        if (parameter === undefined) return;
        const match = findKitType(checker.getTypeOfSymbolAtLocation(parameter, tsCall), checker, OWNING_PARAMETERS);
        if (match === undefined) return;
        context.report({ node: argument, messageId: "passedOwner", data: { name: borrow.name, parameter: match.display, borrow: borrow.borrow } });
      });
    };

    return {
      ArrowFunctionExpression: enter,
      FunctionExpression: enter,
      "ArrowFunctionExpression:exit": exit,
      "FunctionExpression:exit": exit,
      CallExpression: check,
    };
  },
});
