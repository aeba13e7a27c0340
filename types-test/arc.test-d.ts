import { expectAssignable, expectError, expectType } from "tsd";
import { Arc, OwnableResource, type Owned } from "ownkit";

declare class GpuBuffer extends OwnableResource {
  readonly size: number;
  protected drop(): void;
}
declare const owner: Owned<GpuBuffer>;

const shared: Arc<Owned<GpuBuffer>> = Arc.new(owner);
expectType<Arc<Owned<GpuBuffer>>>(shared.clone());
expectType<number>(Arc.strongCount(shared));
expectType<Owned<GpuBuffer> | null>(Arc.tryUnwrap(shared));
expectAssignable<Disposable>(shared);

// The shared value exposes the resource's members but cannot be released by one sharer.
expectType<GpuBuffer>(shared.value);
expectType<number>(shared.value.size);
expectError(shared.value.release());

// A share is not its value: it has no resource members of its own.
expectError(shared.size);
