/**
 * One frame of a captured stack, copied out of V8's call site so that page_owner keeps no object
 * of the program alive.
 *
 * @module
 */

/** The V8 call-site methods a frame is read through (Node's `NodeJS.CallSite`). */
export type CallSite = NodeJS.CallSite;

/**
 * One frame of a captured stack, copied out of V8's call site into plain values.
 *
 * @remarks
 * A V8 call site holds the frame's receiver and function, and through them whatever the caller's
 * objects reach; a copy holds strings and numbers only, so recording a stack keeps no user object
 * alive. It has the call-site methods, so an `Error.prepareStackTrace` installed by the user (a
 * source-map support, a test runner) formats it as it would the live frame.
 *
 * @invariant Holds no reference to any object of the program: `getThis` and `getFunction` return
 *   `undefined`, as V8 does for strict-mode frames.
 */
export class StackFrame {
  /** The frame as V8 prints it after `at `, for example `allocHelper (/src/a.ts:3:7)`. */
  readonly text: string;
  /** The frame's number in its depot. */
  readonly id: number;
  readonly #fileName: string | null;
  readonly #line: number | null;
  readonly #column: number | null;
  readonly #functionName: string | null;
  readonly #typeName: string | null;
  readonly #methodName: string | null;
  readonly #scriptName: string | null;
  readonly #evalOrigin: string | undefined;
  readonly #position: number;
  readonly #promiseIndex: number | null;
  readonly #flags: number;

  /**
   * Copies a live call site.
   *
   * @param site - The V8 call site, read once here and not kept.
   * @param id - The frame's number in its depot.
   */
  constructor(site: CallSite, id: number) {
    this.text = site.toString();
    this.id = id;
    this.#fileName = site.getFileName() ?? null;
    this.#line = site.getLineNumber();
    this.#column = site.getColumnNumber();
    this.#functionName = site.getFunctionName();
    this.#typeName = site.getTypeName();
    this.#methodName = site.getMethodName();
    this.#scriptName = site.getScriptNameOrSourceURL();
    this.#evalOrigin = site.getEvalOrigin();
    this.#position = site.getPosition();
    this.#promiseIndex = site.getPromiseIndex();
    this.#flags =
      (site.isToplevel() ? 1 : 0) |
      (site.isEval() ? 2 : 0) |
      (site.isNative() ? 4 : 0) |
      (site.isConstructor() ? 8 : 0) |
      (site.isAsync() ? 16 : 0) |
      (site.isPromiseAll() ? 32 : 0);
  }

  /** @returns Always `undefined`: the receiver is not kept. */
  getThis(): undefined {
    return undefined;
  }
  /** @returns Always `undefined`: the function is not kept. */
  getFunction(): undefined {
    return undefined;
  }
  /** @returns The receiver's constructor name, as V8 gave it. */
  getTypeName(): string | null {
    return this.#typeName;
  }
  /** @returns The function's name. */
  getFunctionName(): string | null {
    return this.#functionName;
  }
  /** @returns The property name the function was called through. */
  getMethodName(): string | null {
    return this.#methodName;
  }
  /** @returns The script's file name or URL. */
  getFileName(): string | null {
    return this.#fileName;
  }
  /** @returns The 1-based line. */
  getLineNumber(): number | null {
    return this.#line;
  }
  /** @returns The 1-based column. */
  getColumnNumber(): number | null {
    return this.#column;
  }
  /** @returns Not kept: `null`. */
  getEnclosingLineNumber(): number | null {
    return null;
  }
  /** @returns Not kept: `null`. */
  getEnclosingColumnNumber(): number | null {
    return null;
  }
  /** @returns Where an `eval`'d frame's code came from. */
  getEvalOrigin(): string | undefined {
    return this.#evalOrigin;
  }
  /** @returns The script name or its `//# sourceURL`. */
  getScriptNameOrSourceURL(): string | null {
    return this.#scriptName;
  }
  /** @returns Not kept: an empty string. */
  getScriptHash(): string {
    return "";
  }
  /** @returns The 0-based source position. */
  getPosition(): number {
    return this.#position;
  }
  /** @returns The element index of a `Promise.all` frame. */
  getPromiseIndex(): number | null {
    return this.#promiseIndex;
  }
  /** @returns Whether the frame ran top-level code. */
  isToplevel(): boolean {
    return (this.#flags & 1) !== 0;
  }
  /** @returns Whether the frame ran `eval`'d code. */
  isEval(): boolean {
    return (this.#flags & 2) !== 0;
  }
  /** @returns Whether the frame ran native code. */
  isNative(): boolean {
    return (this.#flags & 4) !== 0;
  }
  /** @returns Whether the frame was a `new` call. */
  isConstructor(): boolean {
    return (this.#flags & 8) !== 0;
  }
  /** @returns Whether the frame was an `await` continuation. */
  isAsync(): boolean {
    return (this.#flags & 16) !== 0;
  }
  /** @returns Whether the frame was a `Promise.all` element. */
  isPromiseAll(): boolean {
    return (this.#flags & 32) !== 0;
  }
  /** @returns The frame as V8 prints it after `at `. */
  toString(): string {
    return this.text;
  }
}
