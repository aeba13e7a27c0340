import { expectAssignable, expectError, expectNotAssignable, expectType } from "tsd";
import {
  OwnableResource,
  notRefCountedBecause,
  type ARef,
  type AlwaysRefCounted,
  type CapabilityChecks,
  type Ownable,
  type TypeErrorText,
} from "ownkit";

declare class ScratchPage extends OwnableResource {
  declare readonly [notRefCountedBecause]: "a scratch page has no refcount; use Owned<ScratchPage>";
  protected drop(): void;
}
interface FileHandle extends AlwaysRefCounted {
  readonly fd: number;
}

// A sentence type has the sentence as its key, and no ordinary value satisfies it.
expectAssignable<{ readonly "why it failed": unknown }>(null as unknown as TypeErrorText<"why it failed">);
expectNotAssignable<TypeErrorText<"why it failed">>({ "why it failed": true });

// The capability passes its check; a missing one meets the resource's own sentence.
expectAssignable<CapabilityChecks<FileHandle>["refCounted"]>(null as unknown as FileHandle);
expectNotAssignable<CapabilityChecks<ScratchPage>["refCounted"]>(null as unknown as ScratchPage);
expectAssignable<Ownable>(null as unknown as ScratchPage);
expectType<
  TypeErrorText<"ARef needs an AlwaysRefCounted resource: a scratch page has no refcount; use Owned<ScratchPage>">
>(null as unknown as Exclude<CapabilityChecks<ScratchPage>["refCounted"], AlwaysRefCounted>);
expectError(null as unknown as ARef<ScratchPage>);
expectType<number>((null as unknown as ARef<FileHandle>).fd);
