/**
 * `ownkit/no-view-escape` (M36): a mapped view or guard, or a closure that uses one, kept beyond
 * the mapping that lent it.
 *
 * @module
 */
import type { TSESTree } from "@typescript-eslint/utils";
import { ESLintUtils } from "@typescript-eslint/utils";
import { createRule } from "./internal/create-rule.js";
import { EscapeFlow, type Lent } from "./internal/escape-flow.js";
import { findKitType } from "./internal/kit-types.js";
import { lentKind } from "./internal/lent-types.js";

const KMAP_LOCAL: ReadonlySet<string> = new Set(["KmapLocal"]);
/** Kinds that are mapped bytes, and kinds that are guards holding a view. */
const BYTE_KINDS: ReadonlySet<string> = new Set(["PageView", "ReadonlyPageView", "FolioView", "ReadonlyFolioView", "MappedView", "view", "buffer"]);
const GUARD_KINDS: ReadonlySet<string> = new Set(["MapGuard", "KmapLocal"]);

/** What goes wrong once the value outlives its mapping, and what to do instead. */
function consequence(lent: Pick<Lent, "kind" | "name">): string {
  const name = `\`${lent.name}\``;
  if (BYTE_KINDS.has(lent.kind)) {
    return `after the mapping ends ${name} points at memory that may belong to someone else; use it inside the mapping, or copy the bytes out with \`slice()\` first`;
  }
  if (GUARD_KINDS.has(lent.kind)) {
    return `after the mapping ends the view of ${name} points at memory that may belong to someone else; use it inside the mapping, or copy the bytes of its view out with \`slice()\` first`;
  }
  return `${name} is valid only while its closure runs; use it inside the closure only`;
}

/** What to do instead of reaching around the view. */
function remedy(lent: Pick<Lent, "kind" | "name">): string {
  if (lent.kind === "buffer") return "use the view itself, or copy its bytes out with `slice()` first";
  return `call the view's own method, or copy with \`${lent.name}.slice()\``;
}

/**
 * Flags a value lent by a mapping, or a closure that refers to one, that outlives the mapping:
 * assigned to a binding or property declared outside it, stored in a container created outside it,
 * passed to `setTimeout`/`setInterval`/`setImmediate`/`queueMicrotask`/`process.nextTick`, to a
 * promise (`.then`, `.catch`, `.finally`, `new Promise`) or to an event listener, bound into a
 * function with `bind`, or returned from the mapping closure; a use after the first `await` of an
 * `async` mapping closure (M36); and a lent view that reaches around its type: passed as `this` to a
 * function that is not its own method (`fn.call(view)`, `fn.apply(view)`, `fn.bind(view)`,
 * `Reflect.apply(fn, view, …)`), passed to `structuredClone`, or its backing buffer wrapped by a
 * typed array or `DataView`.
 *
 * @remarks
 * The lent values are the closure parameters that carry the kit's lifetime brand (the views of
 * `withPageMapped`/`withPointerIntoPage`, folio `MapGuard`s and their views from `map`/`mapMut`
 * and chunk iteration, `unsafe` tokens, `withBorrow` borrows) and `KmapLocal` guards bound with
 * `using`, followed through local aliases, `guard.view`, `subarray`, `buffer`, the array argument
 * of the view's own iteration callbacks, calls whose result is still typed as a view or an array of
 * views (a generic helper, `Array.of`, an array's `map`), array destructuring and `for…of`. Copies (`slice()`, `Uint8Array.from`, `target.set(view)`)
 * end the flow.
 *
 * @example
 * ```ts
 * declare const page: Owned<Page>;
 *
 * const first = page.withPageMapped((view) => view[0]);         // fine: read inside the mapping
 * const copy = page.withPageMapped((view) => view.slice(0, 16)); // fine: a copy
 * let kept;
 * page.withPageMapped((view) => { kept = view; });              // ownkit/no-view-escape
 * page.withPageMapped((view) => { setTimeout(() => view[0]); }); // ownkit/no-view-escape
 * ```
 */
export const noViewEscape = createRule({
  name: "no-view-escape",
  meta: {
    type: "problem",
    docs: {
      description: "Forbid keeping a mapped view or guard, or a closure that uses one, beyond the mapping that lent it",
      misuse: "M36",
      requiresTypeChecking: true,
    },
    messages: {
      viewEscapes: "the {{kind}} `{{name}}` of `{{mapping}}` outlives its mapping: {{how}}; {{consequence}}",
      closureEscapes: "this closure uses the {{kind}} `{{name}}` of `{{mapping}}` and outlives the mapping: {{how}}; {{consequence}}",
      reachAround:
        "the {{kind}} `{{name}}` of `{{mapping}}` is {{how}}: that reaches around the view's type (a read-only view would be written; in debug mode the guarded view is refused with a native TypeError, not reported); {{fix}}",
      usedAfterAwait:
        "the {{kind}} `{{name}}` of `{{mapping}}` is used after `await`: a mapping closure must be synchronous, and its mapping ended when it first awaited; {{consequence}}",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    const flow = new EscapeFlow(context, services, ({ node, lent, closure, how, afterAwait, reachAround }) => {
      if (reachAround === true) {
        context.report({ node, messageId: "reachAround", data: { kind: lent.kind, name: lent.name, mapping: lent.mapping, how, fix: remedy(lent) } });
        return;
      }
      const messageId = afterAwait === true ? "usedAfterAwait" : closure ? "closureEscapes" : "viewEscapes";
      context.report({ node, messageId, data: { kind: lent.kind, name: lent.name, mapping: lent.mapping, how, consequence: consequence(lent) } });
    });

    const text = (node: TSESTree.Node): string => {
      const written = context.sourceCode.getText(node).replace(/\s+/g, " ");
      return written.length > 40 ? `${written.slice(0, 37)}...` : written;
    };

    /** A closure passed to a call: each parameter the call lends (a lifetime-branded type) is followed. */
    const lentParameters = (fn: TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression): void => {
      const call = fn.parent;
      if ((call.type !== "CallExpression" && call.type !== "NewExpression") || !call.arguments.includes(fn)) return;
      // A callback of an array's or a view's own iteration gets elements of a mapping that is already followed.
      if (call.callee.type === "MemberExpression") {
        const receiver = services.getTypeAtLocation(call.callee.object);
        if (checker.isArrayType(receiver) || checker.isTupleType(receiver) || lentKind(receiver, checker) !== undefined) return;
      }
      const mapping = `${text(call.callee)}()`;
      const follow = (id: TSESTree.Identifier): void => {
        const kind = lentKind(services.getTypeAtLocation(id), checker);
        if (kind !== undefined) flow.trackVariable(id, { scope: fn, mapping, kind, name: id.name });
      };
      for (const param of fn.params) {
        const binding = param.type === "AssignmentPattern" ? param.left : param;
        if (binding.type === "Identifier") follow(binding);
        if (binding.type !== "ObjectPattern") continue;
        for (const property of binding.properties) {
          if (property.type !== "Property") continue;
          const value = property.value.type === "AssignmentPattern" ? property.value.left : property.value;
          if (value.type === "Identifier") follow(value);
        }
      }
    };

    return {
      ArrowFunctionExpression: lentParameters,
      FunctionExpression: lentParameters,
      VariableDeclarator(declarator) {
        // A `using` KmapLocal guard maps until the end of its block.
        const declaration = declarator.parent;
        if (declaration.kind !== "using" && declaration.kind !== "await using") return;
        if (declarator.id.type !== "Identifier" || declarator.init === null) return;
        if (findKitType(services.getTypeAtLocation(declarator.id), checker, KMAP_LOCAL) === undefined) return;
        const lent: Lent = { scope: declaration.parent, mapping: text(declarator.init), kind: "KmapLocal", name: declarator.id.name };
        flow.trackVariable(declarator.id, lent);
      },
    };
  },
});
