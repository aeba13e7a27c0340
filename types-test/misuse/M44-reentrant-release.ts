/**
 * @misuse M44
 * @title a resource whose drop() releases itself again
 * @runtime
 * @expect-throw EALREADY "resource is being released"
 */
import { OwnableResource, adoptOwned, unsafe, type Owned } from "ownkit";

class Selfish extends OwnableResource {
  drops = 0;
  reenter = false;
  static make(reenter: boolean): Owned<Selfish> {
    const resource = new Selfish();
    resource.reenter = reenter;
    return unsafe("SAFETY: the resource was just created here and has no other owner", (token) => adoptOwned(token, resource));
  }
  protected override drop(): void {
    this.drops++;
    // SAFETY: a careless cleanup reaching the owner operation of its own handle.
    const self: Owned<Selfish> = this as unknown as Owned<Selfish>;
    if (this.reenter) self.release();
  }
}

export function correct(): void {
  const owner: Owned<Selfish> = Selfish.make(false);
  owner.release();
}

export function misuse(): void {
  const owner: Owned<Selfish> = Selfish.make(true);
  try {
    owner.release();
  } finally {
    if (owner.drops !== 1) throw new Error("drop ran more than once");
  }
}
