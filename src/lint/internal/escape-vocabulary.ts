/**
 * The vocabulary of `ownkit/no-view-escape`'s value flow: the calls that keep what they are given,
 * the view members that return the same memory, and small AST helpers.
 *
 * @module
 */
import type { TSESTree } from "@typescript-eslint/utils";

/** Global functions that call their function argument later, and keep their other arguments until then. */
export const DEFERRING_FUNCTIONS: ReadonlySet<string> = new Set(["setTimeout", "setInterval", "setImmediate", "queueMicrotask", "requestAnimationFrame", "requestIdleCallback", "addEventListener"]);
/** Methods that keep their function argument to call it later. */
export const DEFERRING_METHODS: ReadonlySet<string> = new Set(["then", "catch", "finally", "nextTick", "addEventListener", "addListener", "on", "once", "prependListener", "prependOnceListener"]);
/** Functions that store their later arguments in their first one: `Object.assign(target, { view })`. */
export const STORING_STATICS: ReadonlySet<string> = new Set(["Object.assign", "Object.defineProperty", "Object.defineProperties", "Reflect.set", "Reflect.defineProperty"]);
/** Methods that store their argument in the receiver (arrays, maps, sets). */
export const STORING_METHODS: ReadonlySet<string> = new Set(["push", "unshift", "splice", "set", "add"]);
/** View methods whose result is the same memory (the view itself or a subarray of it). */
export const SAME_MEMORY_METHODS: ReadonlySet<string> = new Set(["subarray", "valueOf", "fill", "copyWithin", "reverse", "sort"]);
/** View members that hold the same memory, or a guard's view. */
export const SAME_MEMORY_MEMBERS: ReadonlySet<string> = new Set(["view", "buffer"]);
/** Iteration methods of a view, with the index of the callback parameter that receives the view itself. */
export const ITERATION_METHODS: ReadonlyMap<string, number> = new Map([
  ...["forEach", "map", "filter", "every", "some", "find", "findIndex", "findLast", "findLastIndex"].map((m): [string, number] => [m, 2]),
  ["reduce", 3],
  ["reduceRight", 3],
]);

/** The bindings and properties a destructuring assignment writes. */
export function patternTargets(pattern: TSESTree.Node): TSESTree.Node[] {
  switch (pattern.type) {
    case "ArrayPattern":
      return pattern.elements.flatMap((element) => (element === null ? [] : patternTargets(element)));
    case "ObjectPattern":
      return pattern.properties.flatMap((property) => patternTargets(property.type === "Property" ? property.value : property.argument));
    case "AssignmentPattern":
      return patternTargets(pattern.left);
    case "RestElement":
      return patternTargets(pattern.argument);
    default:
      return [pattern];
  }
}

/** Whether `node` is a function of any kind. */
export const isFunction = (node: TSESTree.Node): node is TSESTree.FunctionLike =>
  node.type === "ArrowFunctionExpression" || node.type === "FunctionExpression" || node.type === "FunctionDeclaration";
/** Whether `node` lies inside `container` in the source. */
export const within = (node: TSESTree.Node, container: TSESTree.Node): boolean => node.range[0] >= container.range[0] && node.range[1] <= container.range[1];

