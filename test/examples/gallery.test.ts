import { describe, expect, it } from "vitest";
import { GALLERY_CASES, collectGallery } from "../../examples/misuse-gallery.js";
import { runRuntimeGallery } from "../../examples/runtime-misuse.js";

describe("misuse gallery", () => {
  it("shows each type case with its line and the compiler's diagnostic code", async () => {
    const entries = await collectGallery();
    const codes = Object.fromEntries(entries.map((e) => [e.id, e.code]));
    expect(entries.map((e) => e.id)).toEqual(GALLERY_CASES);
    expect(codes).toEqual({
      M1: "TS2344",
      M2: "TS2339",
      M3: "TS2339",
      M5: "TS2322",
      M8: "TS2741",
      M10: "TS2554",
      M11: "TS2345",
      M12: "TS2684",
      M15: "TS2344",
    });
    for (const entry of entries) {
      expect(entry.line.length).toBeGreaterThan(0);
      expect(entry.message.length).toBeGreaterThan(0);
    }
    expect(entries.find((e) => e.id === "M2")?.message).toContain("Property 'clone' does not exist");
  }, 120_000);

  it("reports the run-time misuses with their stacks and leaves the debug machine clean", () => {
    const gallery = runRuntimeGallery();
    expect(gallery.cases.map((c) => [c.id, c.errno])).toEqual([
      ["M19", "EINVAL"],
      ["M22", "EINVAL"],
      ["M20", "EFAULT"],
    ]);
    const [doubleFree, lifo, uaf] = gallery.cases;
    expect(doubleFree?.message).toMatch(/^__free_pages: double free/);
    expect(doubleFree?.report).toMatch(/BUG: KASAN: double-free[\s\S]*Allocated by:[\s\S]*allocateBuffer[\s\S]*Freed by:[\s\S]*freeBuffer/);
    expect(lifo?.message).toMatch(/LIFO order \(expected="kmap_local#\d+ .*", actual="kmap_local#\d+ .*"\)/);
    expect(uaf?.message).toMatch(/use after free/);
    expect(uaf?.report).toMatch(/BUG: KASAN: use-after-free[\s\S]*Allocated by:[\s\S]*Freed by:/);
    expect(gallery.problems).toEqual([]);
    expect(gallery.leakReport).toBeNull();
  });
});
