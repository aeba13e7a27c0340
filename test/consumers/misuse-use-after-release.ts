// A moved value: after release() the binding is `never`.
// @expect-error[cjs old] TS1479 "cannot be imported with 'require'"
import { OwnableResource, adoptOwned, type Owned } from "ownkit";

class Handle extends OwnableResource {
  static open(): Owned<Handle> {
    return adoptOwned(new Handle());
  }
  readonly fd = 3;
  protected override drop(): void {}
}

const handle: Owned<Handle> = Handle.open();
handle.release();
// @expect-error TS2339 "Property 'fd' does not exist on type 'never'"
export const fd = handle.fd;
