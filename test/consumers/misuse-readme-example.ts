// The README's first example, exactly as printed there: a socket is released once, then unusable.
// @expect-error[cjs old] TS1479 "cannot be imported with 'require'"
import { OwnableResource, adoptOwned, type Owned } from "ownkit";

class Socket extends OwnableResource {
  static connect(port: number): Owned<Socket> { return adoptOwned(new Socket(port)); }
  private constructor(readonly port: number) { super(); }
  send(data: string): void { /* write to the descriptor */ }
  protected override drop(): void { /* close the descriptor */ }
}

{
  using socket: Owned<Socket> = Socket.connect(8080);
  socket.send("hello");
} // closed here, also when send() throws

const socket: Owned<Socket> = Socket.connect(8080);
socket.release();
// @expect-error TS2339 "Property 'send' does not exist on type 'never'"
socket.send("late");   // error TS2339: Property 'send' does not exist on type 'never'.
