import { expect, expectTypeOf, test } from "vitest";
import { Machine } from "../../src/core/index.js";
import { Folio, GFP_KERNEL, Page, viewBytesUnchecked, type UniqueFolio } from "../../src/mm/index.js";
import { unsafe, type Owned, type Unsafe } from "../../src/ownership/index.js";
import { expectKernelError } from "../core/helpers.js";

test("viewBytesUnchecked returns the mapped memory itself, as a plain Uint8Array", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  page.withPointerIntoPage(8, 4, (view) =>
    unsafe("SAFETY: the DataView is used inside the mapping closure only", (token) => {
      const bytes = viewBytesUnchecked(token, view);
      expectTypeOf(bytes).toEqualTypeOf<Uint8Array>();
      expect(bytes).toBe(view);
      new DataView(bytes.buffer, bytes.byteOffset, bytes.length).setUint32(0, 0x01020304);
    }),
  );
  expect([...page.read(8, 4)]).toEqual([1, 2, 3, 4]);
});

test("viewBytesUnchecked takes read-only folio views too", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  const unique: UniqueFolio = Folio.alloc(0, GFP_KERNEL, machine);
  unique.write(0, new Uint8Array([9, 8, 7]));
  const text = unique.map(0, ({ view }) =>
    unsafe("SAFETY: read only, inside the mapping closure", (token) => new TextDecoder("latin1").decode(viewBytesUnchecked(token, view).subarray(0, 3))),
  );
  expect([...text].map((c) => c.charCodeAt(0))).toEqual([9, 8, 7]);
  unique.release();
});

test("viewBytesUnchecked refuses a token whose unsafe block ended, or a forged one (EPERM)", () => {
  const machine = new Machine({ ramSize: 8 << 20 });
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  let kept: Unsafe<unknown> | undefined;
  unsafe("SAFETY: the token is only kept to test that it dies", (token) => {
    kept = token as Unsafe<unknown>;
  });
  page.withPageMapped((view) => {
    expectKernelError(() => viewBytesUnchecked(kept!, view), "EPERM", /after its unsafe\(\) block ended/);
    expectKernelError(() => viewBytesUnchecked({} as Unsafe<unknown>, view), "EPERM", /not an Unsafe token/);
  });
});
