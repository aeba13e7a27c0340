/**
 * `ownkit/no-use-after-move` (M40, M41): a binding or path used after it was moved, on every path or
 * on some (a branch, an earlier loop iteration, a `case` falling through, a callback), directly or
 * through a closure created before the move.
 *
 * @module
 */
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import { ASTUtils, ESLintUtils } from "@typescript-eslint/utils";
import type ts from "typescript";
import { createRule } from "./internal/create-rule.js";
import { findKitType, isKitSymbol, memberName } from "./internal/kit-types.js";
import { MoveFlow, type ClosureSummary, type MoveHooks, type MoveSite, type Tracked } from "./internal/move-flow.js";
import type { Move } from "./internal/move-state.js";

/** The kit's free functions that move their first argument. */
const FREE_MOVES: ReadonlySet<string> = new Set(["release", "put", "drop", "intoPhys", "intoARef", "intoOwned", "intoShared"]);
/** The methods that move their receiver when it is a kit handle or guard. */
const METHOD_MOVES: ReadonlySet<string> = new Set(["release", "put", "unlock", "unmap", "Symbol.dispose", "intoShared"]);
/** Stored value types that move: an owner, a counted reference or a unique folio. */
const MOVING_TYPES: ReadonlySet<string> = new Set(["Owned", "OwnedHandle", "ARef", "ARefHandle", "UniqueFolio"]);
/**
 * Parameter types that take the value itself: passing it there moves it. A `UniqueFolio` parameter
 * is a loan as often as a move (a helper filling the folio), so it is not among them.
 */
const MOVING_PARAMETERS: ReadonlySet<string> = new Set(["Owned", "OwnedHandle", "ARef", "ARefHandle"]);
/** The handles and guards whose consuming methods end them. */
const HANDLES: ReadonlySet<string> = new Set([...MOVING_TYPES, "KmapLocal", "LockedFolio", "SharedFolio"]);
/** What a folio loses with its uniqueness (`intoShared`): the members that do not compile on a shared folio. */
const UNIQUE_MEMBERS: ReadonlySet<string> = new Set(["write", "mapMut", "memcpyToFolio", "zeroOut", "forEachChunkMut", "intoShared", "release"]);

type FunctionNode = TSESTree.ArrowFunctionExpression | TSESTree.FunctionDeclaration | TSESTree.FunctionExpression;

const unwrap = (node: TSESTree.Node): TSESTree.Node =>
  node.type === "TSNonNullExpression" || node.type === "TSAsExpression" || node.type === "TSSatisfiesExpression" || node.type === "ChainExpression"
    ? unwrap(node.expression)
    : node;

/** The value-level symbol behind an identifier (through imports and re-exports). */
function resolvedSymbol(checker: ts.TypeChecker, node: ts.Node): ts.Symbol | undefined {
  const symbol = checker.getSymbolAtLocation(node);
  // 2097152 is ts.SymbolFlags.Alias; the rule reads types only, it does not load the compiler.
  return symbol !== undefined && (symbol.flags & 2097152) !== 0 ? checker.getAliasedSymbol(symbol) : symbol;
}

/**
 * Flags any use of a binding or path after a move: after a consuming call (`release(page)`,
 * `page.release()`, `put`, `drop`, `intoPhys`, `intoShared`, `[Symbol.dispose]()`, `?.release()`),
 * after passing it to a parameter typed `Owned<…>` or `ARef<…>`, or after storing it
 * (another binding, a field, an array, an object); "may have been moved" when the move happened in a
 * branch, an earlier loop iteration, a `case` that falls through, a `try` block or a callback; and
 * calls of a closure that captures a moved value (M40, M41).
 *
 * @example
 * ```ts
 * declare function usePage(page: Owned<Page>): void;
 *
 * const page = Page.alloc(GFP_KERNEL);
 * usePage(page);   // a parameter typed Owned<Page>: the page moves into usePage
 * page.read(0, 1); // ownkit/no-use-after-move: use of moved value `page`: moved by `usePage()` at line 2
 * ```
 */
export const noUseAfterMove = createRule({
  name: "no-use-after-move",
  meta: {
    type: "problem",
    docs: {
      description: "Forbid using a kit owner, reference or guard after it was moved (released, put, dropped, converted, passed on or stored)",
      misuse: "M40",
      requiresTypeChecking: true,
    },
    messages: {
      moved: "use of moved value `{{name}}`: moved by `{{by}}` at line {{line}}",
      maybeMoved: "use of possibly moved value `{{name}}`: it may have been moved by `{{by}}` at line {{line}} ({{why}})",
      movedCapture: "use of moved value `{{name}}` by calling `{{through}}`, whose closure captures it: moved by `{{by}}` at line {{line}}",
      notUnique: "use of `{{name}}` as a UniqueFolio after `{{by}}` at line {{line}} made it shared: lock() it to write, put() it to drop it",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    const sourceCode: Readonly<TSESLint.SourceCode> = context.sourceCode;
    const ids = new WeakMap<TSESLint.Scope.Variable, number>();
    const summaries = new Map<TSESTree.Node, ClosureSummary>();
    const reported = new Set<string>();
    const functions: FunctionNode[] = [];

    let nextId = 0;
    const keyOf = (variable: TSESLint.Scope.Variable): string => {
      let id = ids.get(variable);
      if (id === undefined) ids.set(variable, (id = ++nextId));
      return `v${id}`;
    };

    const isKitCallee = (callee: TSESTree.Node): boolean => isKitSymbol(resolvedSymbol(checker, services.esTreeNodeToTSNodeMap.get(callee)));

    const hooks: MoveHooks = {
      tracked(node, within): Tracked | undefined {
        if (node.type === "ThisExpression") return { key: "this", name: "this", outer: false };
        if (node.type === "Identifier") {
          const variable = ASTUtils.findVariable(sourceCode.getScope(node), node);
          if (variable === null || variable.defs.length === 0) return undefined;
          const def = variable.defs[0]!.node;
          const outer = def.range[0] < within.range[0] || def.range[1] > within.range[1];
          return { key: keyOf(variable), name: node.name, outer };
        }
        if (node.type !== "MemberExpression") return undefined;
        let segment: string;
        let printed: string;
        if (!node.computed && node.property.type === "Identifier") {
          segment = node.property.name;
          printed = `.${segment}`;
        } else if (node.computed && node.property.type === "Literal" && (typeof node.property.value === "number" || typeof node.property.value === "string")) {
          segment = String(node.property.value);
          printed = `[${node.property.raw}]`;
        } else if (node.computed && memberName(node) === "Symbol.dispose") {
          segment = "Symbol.dispose";
          printed = "[Symbol.dispose]";
        } else return undefined;
        const object = hooks.tracked(unwrap(node.object), within);
        return object === undefined ? undefined : { key: `${object.key}.${segment}`, name: `${object.name}${printed}`, outer: object.outer };
      },

      callMoves(call): MoveSite[] {
        const callee = unwrap(call.callee);
        const first = call.arguments[0];
        if (call.type === "CallExpression" && callee.type === "Identifier" && FREE_MOVES.has(callee.name) && first !== undefined && first.type !== "SpreadElement" && isKitCallee(callee)) {
          const shared = callee.name === "intoShared";
          return [{ value: first, by: `${callee.name}()`, kind: shared ? "shared" : "moved", needsUnique: callee.name === "release" || shared ? callee.name : undefined }];
        }
        if (call.type === "CallExpression" && callee.type === "MemberExpression") {
          const method = memberName(callee);
          if (method !== undefined && METHOD_MOVES.has(method)) {
            const receiver = unwrap(callee.object);
            const kit = findKitType(services.getTypeAtLocation(receiver), checker, HANDLES);
            if (kit !== undefined) {
              const by = method === "Symbol.dispose" ? "[Symbol.dispose]()" : `${method}()`;
              return [{ value: receiver as TSESTree.Expression, by, kind: method === "intoShared" ? "shared" : "moved" }];
            }
          }
        }
        const tsCall = services.esTreeNodeToTSNodeMap.get(call) as ts.CallLikeExpression;
        const signature = checker.getResolvedSignature(tsCall);
        if (signature === undefined) return [];
        const parameters = signature.getParameters();
        const sites: MoveSite[] = [];
        const name = sourceCode.getText(call.callee);
        const by = `${name.length > 40 ? `${name.slice(0, 39)}…` : name}()`;
        call.arguments.forEach((argument, index) => {
          if (argument.type === "SpreadElement") return;
          const inner = unwrap(argument);
          if (inner.type !== "Identifier" && inner.type !== "MemberExpression") return;
          const parameter = parameters[Math.min(index, parameters.length - 1)];
          if (parameter === undefined) return;
          let type = checker.getTypeOfSymbolAtLocation(parameter, tsCall);
          const declaration = parameter.valueDeclaration as ts.ParameterDeclaration | undefined;
          if (declaration?.dotDotDotToken !== undefined) type = type.getNumberIndexType() ?? type;
          if (findKitType(type, checker, MOVING_PARAMETERS) === undefined) return;
          sites.push({ value: argument, by, kind: "moved" });
        });
        return sites;
      },

      movesWhenStored(value, target): boolean {
        if (findKitType(services.getTypeAtLocation(value), checker, MOVING_TYPES) === undefined) return false;
        if (target === undefined || (target.type !== "Identifier" && target.type !== "MemberExpression")) return true;
        return findKitType(services.getTypeAtLocation(target), checker, MOVING_TYPES) !== undefined;
      },

      needsUnique(member): boolean {
        return UNIQUE_MEMBERS.has(member);
      },

      summary(fn): ClosureSummary {
        let summary = summaries.get(fn);
        if (summary === undefined) {
          // Placeholder first: a function that refers to itself sees an empty summary.
          summaries.set(fn, { uses: new Map(), moves: new Map() });
          summary = new MoveFlow(hooks, fn).run();
          summaries.set(fn, summary);
        }
        return summary;
      },

      report(node, name, move: Move, through): void {
        const id = `${node.range[0]}:${node.range[1]}:${name}`;
        if (reported.has(id)) return;
        reported.add(id);
        const data = { name, by: move.by, line: String(move.line), why: move.maybe ?? "", through: through ?? "" };
        const messageId = through !== undefined ? "movedCapture" : move.kind === "shared" ? "notUnique" : move.maybe !== undefined ? "maybeMoved" : "moved";
        context.report({ node, messageId, data });
      },
    };

    const collect = (node: FunctionNode): void => {
      functions.push(node);
    };
    return {
      ArrowFunctionExpression: collect,
      FunctionDeclaration: collect,
      FunctionExpression: collect,
      "Program:exit"(program: TSESTree.Program) {
        new MoveFlow(hooks, program).run();
        for (const fn of functions) hooks.summary(fn);
      },
    };
  },
});
