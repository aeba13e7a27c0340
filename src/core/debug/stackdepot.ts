/**
 * The stack depot of page_owner (the kernel's `lib/stackdepot.c`): each distinct stack is kept once,
 * as plain frame values, and named by a small integer.
 *
 * @module
 */
import { StackFrame, type CallSite } from "./stack-frame.js";

/** Frames a report shows: the first ones outside the kit's own code. */
const SHOWN_FRAMES = 8;
/** Frames captured: the kit's own frames (usually 4 to 6) plus the shown ones. */
const CAPTURE_FRAMES = 16;
/** Frames captured when the first capture ended inside the kit's own frames. */
const MAX_FRAMES = 30;
/** What the collector returns when the first capture was too shallow. */
const RETRY = -1;
const NO_FRAMES = "    (no frames outside the core)";
const NOT_CAPTURED = "    (not captured: Error.stackTraceLimit or Error.prepareStackTrace could not be set, or the stack was full)";
/** The stack of an event whose capture failed. */
const UNCAPTURED: readonly StackFrame[] = Object.freeze([]);

// The kit's own layers (core, mm, ownership) in this package, from source or built; a report's
// stack starts at the caller's code. Anchored at the package root so a user's own `src/mm/` stays.
const packageRoot = new URL("../../../", import.meta.url).pathname.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A kit frame, tested on a frame's file name or on a formatted stack line. */
export const CORE_FRAME = new RegExp(`${packageRoot}(?:src|dist)/(?:core|mm|ownership)/`);
/** A runtime frame (Node's own modules, installed packages), tested on a formatted stack line. */
export const INTERNAL_FRAME = /\(node:|at node:|[\\/]node_modules[\\/]/;
/** The same as {@link INTERNAL_FRAME}, tested on a frame's file name. */
const INTERNAL_FILE = /^node:|[\\/]node_modules[\\/]/;

/**
 * The stack depot: every distinct stack captured once, as {@link StackFrame}s, under a small id.
 *
 * @remarks
 * A capture looks at the frames a report shows only: a frame is found by its code position (file
 * and offset, with the receiver's type), as the kernel's depot finds a return address, and copied
 * with V8's own text the first time it is seen; the stack is then looked up by its frames' numbers,
 * so a stack seen before costs no memory and no text. A frame first seen through a different
 * property name keeps that name in its `[as name]` suffix. A report formats a stack
 * by passing its frames to `Error.prepareStackTrace` when one is installed, so the text is what the
 * old lazily formatted `Error` gave.
 *
 * @invariant Ids are dense from 0 and a stack's frames never change once stored.
 */
export class StackDepot {
  readonly #ids = new Map<string, number>();
  readonly #stacks: (readonly StackFrame[])[] = [];
  readonly #frames = new Map<string, StackFrame>();
  readonly #byPosition = new Map<string, Map<number, StackFrame>>();
  readonly #hiddenFiles = new Map<string, boolean>();
  readonly #holder: { stack?: unknown } = {};
  readonly #shown: StackFrame[] = [];
  #limit = CAPTURE_FRAMES;
  #firstTry = true;
  #uncaptured = -1;
  readonly #collect = (_error: Error, sites: CallSite[]): number => this.#intern(sites);

  /** The number of distinct stacks stored. */
  get size(): number {
    return this.#stacks.length;
  }

  /**
   * Captures the caller's stack and stores it if it is new.
   *
   * @returns The stack's id.
   */
  capture(): number {
    try {
      const id = this.#captureWith(CAPTURE_FRAMES, true);
      return id !== RETRY ? id : this.#captureWith(MAX_FRAMES, false);
    } catch {
      // A frozen `Error` or a stack at its limit: the event is recorded as not captured, and the
      // allocation or free that records it goes on.
      if (this.#uncaptured < 0) {
        this.#uncaptured = this.#stacks.length;
        this.#stacks.push(UNCAPTURED);
      }
      return this.#uncaptured;
    }
  }

  /**
   * The text of a stored stack, one `at ...` line per frame.
   *
   * @param id - An id from {@link StackDepot.capture}.
   * @returns The frames indented by four spaces, at most eight.
   */
  format(id: number): string {
    const frames = this.#stacks[id] ?? [];
    if (frames === UNCAPTURED) return NOT_CAPTURED;
    if (frames.length === 0) return NO_FRAMES;
    const prepare = Error.prepareStackTrace;
    let text: unknown;
    if (prepare !== undefined) {
      try {
        text = prepare(headerError(), [...frames]);
      } catch {
        text = undefined; // a failing formatter must not hide the report
      }
    }
    if (typeof text !== "string") return frames.map((frame) => `    at ${frame.text}`).join("\n");
    const lines = text
      .split("\n")
      .slice(1)
      .filter((line) => !CORE_FRAME.test(line) && !INTERNAL_FRAME.test(line))
      .slice(0, SHOWN_FRAMES)
      .map((line) => `    ${line.trim()}`);
    return lines.length === 0 ? NO_FRAMES : lines.join("\n");
  }

  #captureWith(limit: number, firstTry: boolean): number {
    const previousLimit = Error.stackTraceLimit;
    const previousPrepare = Error.prepareStackTrace;
    const holder = this.#holder;
    this.#limit = limit;
    this.#firstTry = firstTry;
    Error.stackTraceLimit = limit;
    try {
      Error.prepareStackTrace = this.#collect;
      try {
        // Frames from `capture` up are left out; reading `stack` runs the collector now, on the
        // live call sites, which are dropped when it returns.
        Error.captureStackTrace(holder, StackDepot.prototype.capture);
        const id = holder.stack;
        return typeof id === "number" ? id : this.#intern([]);
      } finally {
        Error.prepareStackTrace = previousPrepare;
      }
    } finally {
      holder.stack = undefined;
      Error.stackTraceLimit = previousLimit;
    }
  }

  #intern(sites: readonly CallSite[]): number {
    const shown = this.#shown;
    shown.length = 0;
    for (let i = 0; i < sites.length && shown.length < SHOWN_FRAMES; i++) {
      const site = sites[i]!;
      const file = site.getFileName();
      if (file != null && this.#hidden(file)) continue;
      shown.push(this.#frame(site, file));
    }
    if (shown.length < SHOWN_FRAMES && this.#firstTry && sites.length === this.#limit) {
      // Cut short inside the kit's or the caller's frames (callbacks nested through the kit, each
      // adding kit frames): capture again, deeper, as more of the caller's frames follow. A cut
      // among the runtime's frames (a test runner's, Node's) shows what was captured.
      const last = sites[sites.length - 1]!.getFileName();
      if (last != null && !INTERNAL_FILE.test(last)) return RETRY;
    }
    let key = "";
    for (const frame of shown) key += `${frame.id},`;
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    const id = this.#stacks.length;
    this.#stacks.push(Object.freeze([...shown]));
    this.#ids.set(key, id);
    return id;
  }

  /** Whether frames of a file are left out of reports (the kit's own, the runtime's). */
  #hidden(file: string): boolean {
    let hidden = this.#hiddenFiles.get(file);
    if (hidden === undefined) {
      hidden = CORE_FRAME.test(file) || INTERNAL_FILE.test(file);
      this.#hiddenFiles.set(file, hidden);
    }
    return hidden;
  }

  /**
   * The stored copy of a live frame: found by its code position (as the kernel's depot finds a
   * return address) when the receiver's type matches, else by V8's full frame text.
   */
  #frame(site: CallSite, file: string | null): StackFrame {
    const position = site.getPosition();
    let byPosition = file == null ? undefined : this.#byPosition.get(file);
    const candidate = byPosition?.get(position);
    if (candidate !== undefined && candidate.getTypeName() === site.getTypeName()) return candidate;
    const text = site.toString();
    let frame = this.#frames.get(text);
    if (frame === undefined) {
      frame = new StackFrame(site, this.#frames.size);
      this.#frames.set(text, frame);
    }
    // A native frame has no file, and its position names no code: it is found by its text only.
    if (file != null) {
      if (byPosition === undefined) {
        byPosition = new Map();
        this.#byPosition.set(file, byPosition);
      }
      byPosition.set(position, frame);
    }
    return frame;
  }
}

/** The `Error` handed to a user's `Error.prepareStackTrace` for a stored stack (no frames of its own). */
function headerError(): Error {
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const error = new Error();
  Error.stackTraceLimit = previous;
  return error;
}
