import { expectAssignable, expectError, expectNotAssignable, expectType } from "tsd";
import {
  AddressSpace,
  Folio,
  LockedFolio,
  intoShared,
  loff,
  type ARef,
  type FolioView,
  type Loff,
  type MapGuard,
  type Owned,
  type SharedFolio,
  type UniqueFolio,
} from "ownkit";

declare const shared: ARef<Folio>;
declare const bytes: Uint8Array;

// Folio.alloc gives a UniqueFolio, which may write without a lock and has no clone.
const unique: UniqueFolio = Folio.alloc(0);
expectType<void>(unique.write(0, bytes));
expectType<void>(unique.zeroOut(0, 16));
expectError(unique.clone());

// A shared folio reads; only its LockedFolio writes and marks uptodate (M7).
expectType<number>(shared.size);
expectType<Loff>(shared.pos);
expectType<boolean>(shared.uptodate);
expectType<LockedFolio>(shared.lock());
expectError(shared.markUptodate());
expectError(shared.write(0, bytes));
expectError(shared.zeroOut(0, 16));
declare const locked: LockedFolio;
expectType<void>(locked.markUptodate());
expectType<void>(locked.write(0, bytes));

// No error flag anywhere (M13).
expectError(shared.setError());
expectError(locked.setError());

// Shared mappings are read-only; exclusive ones writable (M6).
shared.map(0, (guard) => {
  expectNotAssignable<Uint8Array>(guard.view);
  expectNotAssignable<{ [index: number]: number }>(guard.view);
  expectNotAssignable<ArrayLike<number>>(guard.view);
  expectType<typeof guard.view>(guard.view.valueOf());
  expectType<typeof guard.view>(guard.view.subarray(1));
  expectType<number | undefined>(guard.view[0]);
  expectType<number>(guard.offset);
  expectError(guard.view.set(bytes));
  expectError(guard.view.fill(0));
  return 0;
});
locked.mapMut(0, (guard) => {
  // Writable, but not a Uint8Array: no buffer, no widening (M33, M34).
  expectNotAssignable<Uint8Array>(guard.view);
  expectNotAssignable<ArrayBufferView>(guard.view);
  expectAssignable<Uint8Array>(guard.view.slice());
  guard.view[0] = 1;
  return 0;
});

// Results without the mapping pass through; the mapping cannot escape (M8).
expectType<number>(shared.map(0, (guard) => guard.length));
expectAssignable<Uint8Array>(shared.map(0, ({ view }) => view.slice(0, 4)));
expectError(shared.map(0, (guard) => guard));
expectError(shared.map(0, ({ view }) => ({ view })));
expectError(locked.mapMut(0, ({ view }) => [view]));
expectNotAssignable<MapGuard<"b">>(null as unknown as MapGuard<"a">);
expectNotAssignable<FolioView<"b">>(null as unknown as FolioView<"a">);

// Folio has no single owner: hold ARef<Folio> (a sentence says so).
expectError(null as unknown as Owned<Folio>);

// intoShared narrows the binding to the shared handle (M12).
const fresh: UniqueFolio = Folio.alloc(0);
fresh.intoShared();
expectType<SharedFolio>(fresh);
expectAssignable<ARef<Folio>>(fresh);
expectType<LockedFolio>(fresh.lock());

// The free form needs no annotation (M40).
const unannotated = Folio.alloc(0);
intoShared(unannotated);
expectType<SharedFolio>(unannotated);
expectAssignable<ARef<Folio>>(unannotated);

// The page cache hands out counted references.
declare const space: AddressSpace;
expectType<ARef<Folio> | null>(space.lookup(0));
expectType<ARef<Folio>>(space.readFolio(0, (folio) => folio.markUptodate()));
expectType<number>(space.indexForPos(loff(4096)));
