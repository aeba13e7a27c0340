// A consumer program: every runtime entry point, a non-kernel resource, pages and folios. The
// consumer matrix compiles it with each TypeScript (ESM NodeNext, ESM bundler, CommonJS) and runs
// the output on Node 20 and 24; it must print "consumer ok".
// @expect-error[cjs old] TS1479 "cannot be imported with 'require'"
import { AddressSpace, Folio, GFP_KERNEL, KernelError, Page, loff, type ARef, type UniqueFolio } from "ownkit";
// @expect-error[cjs old] TS1479 "cannot be imported with 'require'"
import { OwnableResource, adoptOwned, type Owned } from "ownkit/ownership";
// @expect-error[cjs old] TS1479 "cannot be imported with 'require'"
import { kmapLocal } from "ownkit/mm";
// @expect-error[cjs old] TS1479 "cannot be imported with 'require'"
import { createMachine } from "ownkit/core";
// @expect-error[cjs old] TS1479 "cannot be imported with 'require'"
import { parseCase } from "ownkit/misuse";

// The programs compile without @types/node (lib ES2022 + ESNext.Disposable), so no `console` type.
declare const console: { log(message: string): void };

const log: string[] = [];

class GpuBuffer extends OwnableResource {
  static alloc(size: number): Owned<GpuBuffer> {
    return adoptOwned(new GpuBuffer(size));
  }
  private constructor(readonly size: number) {
    super();
  }
  protected override drop(): void {
    log.push(`freed ${this.size}`);
  }
}

{
  using buffer: Owned<GpuBuffer> = GpuBuffer.alloc(64);
  log.push(`using ${buffer.size}`);
}
const moved: Owned<GpuBuffer> = GpuBuffer.alloc(32);
moved.release();

const machine = createMachine();
{
  using page: Owned<Page> = Page.alloc(GFP_KERNEL, machine);
  page.write(0, new Uint8Array([1, 2, 3]));
  log.push(`page ${page.withPageMapped((view) => view[2])}`);
  {
    using map = kmapLocal(page);
    log.push(`kmap ${map.view[1]}`);
  }
  try {
    page.read(4095, 2);
  } catch (error) {
    log.push(error instanceof KernelError ? error.errno : "not a KernelError");
  }
}

const unique: UniqueFolio = Folio.alloc(1, GFP_KERNEL, machine);
unique.write(0, Uint8Array.of(104, 105));
unique.intoShared();
const shared: ARef<Folio> = unique;
log.push(`folio ${shared.map(0, ({ view }) => String.fromCharCode(view[0] ?? 0))}`);
shared.put();

{
  using space = AddressSpace.create(machine);
  using folio: ARef<Folio> = space.readFolio(0, (locked) => {
    locked.zeroOut(0, locked.size);
    locked.markUptodate();
  });
  log.push(`pos ${String(folio.pos === loff(0))}`);
}
machine.teardown();

log.push(typeof parseCase);
const expected = "using 64,freed 64,freed 32,page 3,kmap 2,EINVAL,folio h,pos true,function";
if (log.join(",") !== expected) throw new Error(`unexpected run: ${log.join(",")}`);
console.log("consumer ok");
