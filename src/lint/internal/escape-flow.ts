/**
 * The value flow behind `ownkit/no-view-escape`: from a lent view or guard, through aliases,
 * derived views and the closures that capture them, to the places where they outlive the mapping.
 *
 * @module
 */
import type { ParserServicesWithTypeInformation, TSESLint, TSESTree } from "@typescript-eslint/utils";
import { ASTUtils } from "@typescript-eslint/utils";
import type ts from "typescript";
import {
  DEFERRING_FUNCTIONS,
  DEFERRING_METHODS,
  ITERATION_METHODS,
  SAME_MEMORY_MEMBERS,
  SAME_MEMORY_METHODS,
  STORING_METHODS,
  STORING_STATICS,
  isFunction,
  patternTargets,
  within,
} from "./escape-vocabulary.js";
import { firstAwaitEnd } from "./first-await.js";
import { memberName } from "./kit-types.js";
import { isByteContainer, lentKind } from "./lent-types.js";

/** A value lent by a mapping: what it is, where it came from, and the code it may not outlive. */
export interface Lent {
  /** The mapping's closure, or the block of a `using` guard. */
  readonly scope: TSESTree.Node;
  /** The mapping as written: `page.withPageMapped()`, `kmapLocal(page)`. */
  readonly mapping: string;
  /** The lent value's kind: `PageView`, `MapGuard`, `KmapLocal`, ... */
  readonly kind: string;
  /** The lent value as written: `view`, `guard.view`, `view.subarray(0, 16)`. */
  readonly name: string;
}

/** Where a lent value or a closure over one was found to outlive its mapping. */
export interface Escape {
  /** The expression that reaches the sink. */
  readonly node: TSESTree.Node;
  /** The lent value. */
  readonly lent: Lent;
  /** Whether `node` is a closure over the value rather than the value itself. */
  readonly closure: boolean;
  /** Whether `node` uses the value after the `async` mapping closure first awaited. */
  readonly afterAwait?: boolean;
  /** How it outlives the mapping, as a phrase: "passed to `setTimeout()`". */
  readonly how: string;
  /**
   * Whether `node` reaches around the view's type instead of outliving the mapping: the view passed
   * as `this` to a function that is not its own method, to `structuredClone`, or its backing buffer
   * wrapped by a typed array or `DataView`. `how` then says how: "passed as `this` to `fn`".
   */
  readonly reachAround?: boolean;
}

/** Lent kinds that are byte views (a guarded `Proxy` in debug mode), which a reach-around is checked for. */
const VIEW_KINDS: ReadonlySet<string> = new Set(["PageView", "ReadonlyPageView", "FolioView", "ReadonlyFolioView", "MappedView", "view"]);
/** The `Function.prototype` members that call a function with a chosen `this` (their first argument). */
const THIS_SETTERS: ReadonlySet<string> = new Set(["call", "apply", "bind"]);

/** `node` without the type assertions and non-null marks around it. */
function unwrap(node: TSESTree.Node): TSESTree.Node {
  let inner = node;
  while (inner.type === "TSAsExpression" || inner.type === "TSNonNullExpression" || inner.type === "TSSatisfiesExpression" || inner.type === "TSTypeAssertion") {
    inner = inner.expression;
  }
  return inner;
}

/** Follows lent values through one file and reports every escape once. */
export class EscapeFlow {
  readonly #context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;
  readonly #services: ParserServicesWithTypeInformation;
  readonly #checker: ts.TypeChecker;
  readonly #report: (escape: Escape) => void;
  readonly #followed = new Set<TSESLint.Scope.Variable>();
  readonly #firstAwait = new Map<TSESTree.Node, number>();
  readonly #reported = new Set<string>();

  constructor(
    context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
    services: ParserServicesWithTypeInformation,
    report: (escape: Escape) => void,
  ) {
    this.#context = context;
    this.#services = services;
    this.#checker = services.program.getTypeChecker();
    this.#report = report;
  }

  /** Follows every use of `variable`, which holds `lent` (or a closure over it, when `closure`). */
  trackVariable(variable: TSESTree.Identifier | TSESLint.Scope.Variable, lent: Lent, closure = false): void {
    const resolved = "references" in variable ? variable : this.#variableOf(variable);
    if (resolved === undefined || this.#followed.has(resolved)) return;
    this.#followed.add(resolved);
    const boundary = resolved.scope.block;
    for (const reference of resolved.references) {
      if (!reference.isRead()) continue;
      const id = reference.identifier as TSESTree.Node;
      if (!closure && id.range[0] > this.#awaitedAt(lent.scope)) this.#escape(id, lent, false, "used after `await`", true);
      // Every closure between the use and the binding's own scope captures the value.
      for (let node = id.parent; node !== undefined && node !== boundary; node = node.parent) {
        if (isFunction(node) && node.type !== "FunctionDeclaration") this.#flow(node, lent, true);
        else if (node.type === "FunctionDeclaration" && node.id !== null) this.trackVariable(node.id, lent, true);
      }
      this.#flow(id, lent, closure);
    }
  }

  #variableOf(id: TSESTree.Identifier): TSESLint.Scope.Variable | undefined {
    return ASTUtils.findVariable(this.#context.sourceCode.getScope(id), id) ?? undefined;
  }

  /** Whether `id` names a binding declared outside the mapping (or a global). */
  #outside(id: TSESTree.Identifier, lent: Lent): boolean {
    const variable = this.#variableOf(id);
    return variable === undefined || variable.defs.length === 0 || !variable.defs.some((d) => within(d.name, lent.scope));
  }

  #escape(node: TSESTree.Node, lent: Lent, closure: boolean, how: string, afterAwait = false, reachAround = false): void {
    const key = `${node.range[0]}:${node.range[1]}:${closure}:${afterAwait}:${reachAround}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.#report({ node, lent, closure, how, afterAwait, reachAround });
  }

  /**
   * A view passed where its type no longer holds: as the `this` of a function that is not its own
   * method (`Uint8Array.prototype.fill.call(view, 9)`, `fn.apply(view, …)`, `fn.bind(view)`,
   * `Reflect.apply(fn, view, …)`), or to `structuredClone`. Reported; `false` when `node` is not one.
   */
  #reachesAround(call: TSESTree.CallExpression | TSESTree.NewExpression, node: TSESTree.Node, lent: Lent): boolean {
    if (call.type !== "CallExpression" || !VIEW_KINDS.has(lent.kind)) return false;
    const callee = call.callee;
    let fn: TSESTree.Node | undefined;
    if (callee.type === "Identifier" && callee.name === "structuredClone" && call.arguments[0] === node && this.#outside(callee, lent)) {
      this.#escape(node, lent, false, "passed to `structuredClone()`", false, true);
      return true;
    }
    if (callee.type !== "MemberExpression") return false;
    const method = memberName(callee);
    if (method !== undefined && THIS_SETTERS.has(method) && call.arguments[0] === node) fn = callee.object;
    else if (method === "apply" && callee.object.type === "Identifier" && callee.object.name === "Reflect" && call.arguments[1] === node) fn = call.arguments[0];
    if (fn === undefined) return false;
    // `view.fill.call(view, 0)`: the view's own method, read from it, keeps its type's contract.
    let own: TSESTree.Node = fn;
    while (own.type === "ChainExpression" || own.type === "TSNonNullExpression") own = own.expression;
    if (own.type === "MemberExpression" && this.#text(own.object) === this.#text(unwrap(node))) return false;
    this.#escape(node, lent, false, `passed as \`this\` to \`${this.#text(fn)}\``, false, true);
    return true;
  }

  /** Where an `async` mapping closure first awaits (its mapping ends there); `Infinity` for any other scope. */
  #awaitedAt(scope: TSESTree.Node): number {
    if (!isFunction(scope) || !scope.async) return Infinity;
    let at = this.#firstAwait.get(scope);
    if (at === undefined) this.#firstAwait.set(scope, (at = firstAwaitEnd(scope)));
    return at;
  }

  #text(node: TSESTree.Node): string {
    const text = this.#context.sourceCode.getText(node).replace(/\s+/g, " ");
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
  }

  /** Climbs from `node` (which holds the value, or a closure over it) to where it lands. */
  #flow(node: TSESTree.Node, lent: Lent, closure: boolean): void {
    const parent = node.parent;
    if (parent === undefined) return;
    switch (parent.type) {
      case "ChainExpression":
      case "TSAsExpression":
      case "TSNonNullExpression":
      case "TSSatisfiesExpression":
      case "TSTypeAssertion":
      case "TSInstantiationExpression":
      case "LogicalExpression":
      case "ArrayExpression":
      case "SpreadElement":
        return this.#flow(parent, lent, closure);
      case "ConditionalExpression":
        return parent.test === node ? undefined : this.#flow(parent, lent, closure);
      case "SequenceExpression":
        return parent.expressions.at(-1) === node ? this.#flow(parent, lent, closure) : undefined;
      case "Property":
        return parent.value === node && parent.parent.type === "ObjectExpression" ? this.#flow(parent.parent, lent, closure) : undefined;
      case "MemberExpression":
        return parent.object === node && !closure ? this.#derived(parent, lent) : undefined;
      case "CallExpression":
      case "NewExpression":
        return parent.arguments.includes(node as TSESTree.CallExpressionArgument) ? this.#passed(parent, node, lent, closure) : undefined;
      case "VariableDeclarator":
        return parent.init === node ? this.#bound(parent.id, node, lent, closure) : undefined;
      case "AssignmentExpression":
        return parent.right === node ? this.#assigned(parent.left, node, lent, closure) : undefined;
      case "ReturnStatement": {
        let fn: TSESTree.Node | undefined = parent.parent;
        while (fn !== undefined && !isFunction(fn)) fn = fn.parent;
        return fn === undefined ? undefined : this.#returned(fn as TSESTree.FunctionLike, node, lent, closure);
      }
      case "ArrowFunctionExpression":
        return parent.body === node ? this.#returned(parent, node, lent, closure) : undefined;
      case "YieldExpression":
        return this.#escape(node, lent, closure, "yielded from a generator, which resumes after the mapping ended");
      case "ForOfStatement":
        // `for (const x of [view])`: the loop binding holds each element.
        return parent.right === node && !closure ? this.#iterated(parent.left, node, lent) : undefined;
      default:
        return undefined;
    }
  }

  /** `x.view`, `x.subarray(…)`, `x.forEach((_, i, array) => …)`: what of `member` still is the mapping. */
  #derived(member: TSESTree.MemberExpression, lent: Lent): void {
    const name = memberName(member);
    if (name === undefined) return;
    const call = member.parent;
    // `view.fill.bind(view, 0)` makes a closure that keeps `view` as its `this`.
    const bound = call.type === "MemberExpression" && call.object === member && memberName(call) === "bind" ? call.parent : undefined;
    if (bound?.type === "CallExpression" && bound.callee === call) return this.#flow(bound, lent, true);
    if (call.type === "CallExpression" && call.callee === member) {
      if (SAME_MEMORY_METHODS.has(name)) return this.#flow(call, { ...lent, name: this.#text(call) }, false);
      const index = ITERATION_METHODS.get(name);
      const callback = call.arguments[0];
      if (index === undefined || callback === undefined || !isFunction(callback)) return this.#resultHolds(call, lent, false);
      this.#resultHolds(call, lent, false);
      const array = callback.params[index];
      if (array?.type === "Identifier") this.trackVariable(array, { ...lent, name: array.name });
      return;
    }
    const kind = lentKind(this.#services.getTypeAtLocation(member), this.#checker);
    if (kind === undefined && !SAME_MEMORY_MEMBERS.has(name)) return;
    this.#flow(member, { ...lent, kind: kind ?? (name === "buffer" ? "buffer" : "view"), name: this.#text(member) }, false);
  }

  /** The value bound to a new local: an alias, followed under its new name; `{ view } = guard` follows `view`. */
  #bound(id: TSESTree.BindingName, init: TSESTree.Node, lent: Lent, closure: boolean): void {
    if (id.type === "Identifier") {
      const alias = !closure && init.type !== "ArrayExpression" && init.type !== "ObjectExpression" && init.type !== "NewExpression";
      return this.trackVariable(id, alias ? { ...lent, name: id.name } : lent, closure);
    }
    if (closure) return;
    if (id.type === "ArrayPattern") {
      // `const [a] = [view]`: an element whose type is lent holds the value.
      for (const part of patternTargets(id)) if (part.type === "Identifier") this.#followTyped(part, lent);
      return;
    }
    if (id.type !== "ObjectPattern") return;
    for (const property of id.properties) {
      if (property.type !== "Property") continue;
      const value = property.value.type === "AssignmentPattern" ? property.value.left : property.value;
      if (value.type !== "Identifier") continue;
      const key = property.key.type === "Identifier" ? property.key.name : undefined;
      const kind = lentKind(this.#services.getTypeAtLocation(value), this.#checker);
      if (kind !== undefined || key === "view") this.trackVariable(value, { ...lent, kind: kind ?? "view", name: value.name });
    }
  }

  /** A binding that receives an element of a value holding `lent`: followed when its own type is lent. */
  #followTyped(id: TSESTree.Identifier, lent: Lent): void {
    const kind = lentKind(this.#services.getTypeAtLocation(id), this.#checker);
    if (kind !== undefined) this.trackVariable(id, { ...lent, kind, name: id.name });
  }

  /** The binding of a `for…of` loop over `iterated`, a value holding `lent`. */
  #iterated(left: TSESTree.ForOfStatement["left"], iterated: TSESTree.Node, lent: Lent): void {
    if (left.type === "VariableDeclaration") {
      const target = left.declarations[0]?.id;
      for (const part of target === undefined ? [] : patternTargets(target)) if (part.type === "Identifier") this.#followTyped(part, lent);
      return;
    }
    // `for (outer of [view])`: an existing binding receives the elements; they are lent when the
    // iterated array's elements are.
    if (left.type !== "Identifier" || this.#elementKind(this.#services.getTypeAtLocation(iterated)) === undefined) return;
    if (this.#outside(left, lent)) return this.#escape(left, lent, false, `assigned to \`${left.name}\`, declared outside the mapping`);
    this.trackVariable(left, { ...lent, name: left.name });
  }

  /** The lent kind of the elements of an array or tuple type, if any. */
  #elementKind(type: ts.Type): string | undefined {
    if (!this.#checker.isArrayType(type) && !this.#checker.isTupleType(type)) return undefined;
    let kind: string | undefined;
    for (const element of this.#checker.getTypeArguments(type as ts.TypeReference)) kind ??= lentKind(element, this.#checker);
    return kind;
  }

  /**
   * A call that got the value (as an argument or as its receiver) and whose result's type is still
   * lent, or an array of lent values (`identity(view)`, `Array.of(view)`, `[view].map(…)`): the
   * result holds the value and is followed.
   */
  #resultHolds(call: TSESTree.CallExpression | TSESTree.NewExpression, lent: Lent, closure: boolean): void {
    if (closure) return;
    const type = this.#services.getTypeAtLocation(call);
    const kind = lentKind(type, this.#checker) ?? this.#elementKind(type);
    if (kind !== undefined) this.#flow(call, { ...lent, kind, name: this.#text(call) }, false);
  }

  /** `target = value`: an outer binding or property keeps it; a local one is followed. */
  #assigned(target: TSESTree.Expression, node: TSESTree.Node, lent: Lent, closure: boolean): void {
    if (target.type === "Identifier") {
      if (this.#outside(target, lent)) return this.#escape(node, lent, closure, `assigned to \`${target.name}\`, declared outside the mapping`);
      return this.trackVariable(target, lent, closure);
    }
    if (target.type === "MemberExpression") return this.#stored(target.object, node, lent, closure, `stored in \`${this.#text(target)}\``);
    // `[kept] = [view]`, `({ kept } = { kept: view })`: any outer binding or property in the pattern may receive it.
    for (const part of patternTargets(target)) {
      if (part.type === "Identifier" && this.#outside(part, lent)) {
        return this.#escape(node, lent, closure, `assigned to \`${part.name}\`, declared outside the mapping`);
      }
      if (part.type === "MemberExpression") return this.#stored(part.object, node, lent, closure, `stored in \`${this.#text(part)}\``);
    }
  }

  /** The value was put into the object or container `holder`. */
  #stored(holder: TSESTree.Node, node: TSESTree.Node, lent: Lent, closure: boolean, how: string): void {
    let root = holder;
    while (
      root.type === "MemberExpression" ||
      root.type === "TSNonNullExpression" ||
      root.type === "ChainExpression" ||
      root.type === "TSAsExpression" ||
      root.type === "TSSatisfiesExpression" ||
      root.type === "TSTypeAssertion"
    ) {
      root = root.type === "MemberExpression" ? root.object : root.expression;
    }
    if (root.type === "Identifier" && !this.#outside(root, lent)) return this.trackVariable(root, lent, closure);
    const where = root.type === "Identifier" ? `, created outside the mapping` : "";
    this.#escape(node, lent, closure, `${how}${where}`);
  }

  /** The value or closure passed as an argument of `call`. */
  #passed(call: TSESTree.CallExpression | TSESTree.NewExpression, node: TSESTree.Node, lent: Lent, closure: boolean): void {
    const callee = call.callee;
    // A reach-around is reported; `fn.bind(view)` still makes a closure that keeps the view.
    if (!closure && this.#reachesAround(call, node, lent) && !(callee.type === "MemberExpression" && memberName(callee) === "bind")) return;
    if (callee.type === "Identifier" && call.type === "CallExpression" && DEFERRING_FUNCTIONS.has(callee.name) && this.#outside(callee, lent)) {
      return this.#escape(node, lent, closure, `passed to \`${callee.name}()\`, which runs after the mapping ended`);
    }
    if (callee.type === "Identifier" && call.type === "NewExpression") {
      if (callee.name === "Promise") return this.#escape(node, lent, closure, "passed to `new Promise()`, whose work finishes after the mapping ended");
      return this.#constructed(call, node, lent, closure);
    }
    if (callee.type !== "MemberExpression") return this.#resultHolds(call, lent, closure);
    const method = memberName(callee);
    if (method === undefined) return this.#resultHolds(call, lent, closure);
    if (DEFERRING_METHODS.has(method) || (callee.object.type === "Identifier" && DEFERRING_FUNCTIONS.has(method))) {
      const receiver = callee.object.type === "Identifier" ? callee.object.name : "";
      return this.#escape(node, lent, closure, `passed to \`${receiver}.${method}()\`, which runs after the mapping ended`);
    }
    if (method === "resolve" && callee.object.type === "Identifier" && callee.object.name === "Promise") return this.#flow(call, lent, closure);
    // `f.bind(null, view)` makes a closure that keeps its arguments.
    if (method === "bind") return this.#flow(call, lent, true);
    const target = call.arguments[0];
    if (callee.object.type === "Identifier" && STORING_STATICS.has(`${callee.object.name}.${method}`) && target !== undefined && target !== node) {
      return this.#stored(target, node, lent, closure, `stored in \`${this.#text(target)}\` by \`${callee.object.name}.${method}()\``);
    }
    if (!STORING_METHODS.has(method) || call.type !== "CallExpression") return this.#resultHolds(call, lent, closure);
    // `target.set(view)` on a typed array copies the bytes; on a Map or Set it keeps the value.
    if (isByteContainer(this.#services.getTypeAtLocation(callee.object), this.#checker)) return;
    this.#stored(callee.object, node, lent, closure, `stored in \`${this.#text(callee.object)}\``);
  }

  /** `new X(value)`: a typed array or `DataView` over a view's buffer aliases it, over a view copies it; anything else holds it. */
  #constructed(call: TSESTree.NewExpression, node: TSESTree.Node, lent: Lent, closure: boolean): void {
    if (isByteContainer(this.#services.getTypeAtLocation(call), this.#checker)) {
      if (closure || lent.kind !== "buffer") return;
      // The backing buffer is the whole simulated RAM: a typed array or `DataView` over it reaches past the view.
      const constructor = call.callee.type === "Identifier" ? call.callee.name : this.#text(call.callee);
      this.#escape(node, lent, false, `wrapped by \`new ${constructor}()\` over its backing buffer`, false, true);
      this.#flow(call, { ...lent, name: this.#text(call), kind: "view" }, false);
      return;
    }
    this.#flow(call, lent, closure);
  }

  /** The value or closure returned from `fn`. */
  #returned(fn: TSESTree.FunctionLike, node: TSESTree.Node, lent: Lent, closure: boolean): void {
    if (fn === lent.scope) return this.#escape(node, lent, closure, "returned from the mapping closure");
    if (!within(fn, lent.scope)) return this.#escape(node, lent, closure, "returned from the function, after `using` ended the mapping");
    // A function inside the mapping: its result lands where it is called.
    const parent = fn.parent;
    if (parent?.type === "CallExpression" || parent?.type === "NewExpression") return this.#flow(parent, lent, closure);
    const id = fn.type === "FunctionDeclaration" ? fn.id : parent?.type === "VariableDeclarator" && parent.init === fn ? parent.id : null;
    if (id?.type !== "Identifier") return;
    for (const reference of this.#variableOf(id)?.references ?? []) {
      const use = reference.identifier as TSESTree.Node;
      if (use.parent?.type === "CallExpression" && use.parent.callee === use) this.#flow(use.parent, lent, closure);
    }
  }
}
