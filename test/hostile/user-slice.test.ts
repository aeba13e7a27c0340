// A genuine UserSliceReader cannot be re-armed: its readInto is what copyFromUser calls, so a
// replaced readInto would receive the page's mapped view and could keep it past the mapping.
import { expect, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import { GFP_KERNEL, Page, userSliceReader, type PageView, type UserSliceReader } from "../../src/mm/index.js";
import type { Owned } from "../../src/ownership/index.js";

test("a UserSliceReader's readInto and length cannot be redefined to capture the mapped view", () => {
  const machine = new Machine({ ramSize: 1 << 20 });
  const page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  const reader: UserSliceReader = userSliceReader(new Uint8Array([1, 2, 3, 4]));
  const kept: PageView<unknown>[] = [];
  expect(() =>
    Object.defineProperty(reader, "readInto", {
      value: (view: PageView<unknown>): void => {
        kept.push(view);
      },
    }),
  ).toThrow(TypeError);
  expect(() => Object.defineProperty(reader, "length", { value: 4096 })).toThrow(TypeError);
  // correct use: the genuine reader copies, and nothing of the mapping was handed out
  page.copyFromUser(reader, 0, 4);
  expect([...page.read(0, 4)]).toEqual([1, 2, 3, 4]);
  expect(kept).toEqual([]);
  page.release();
});
