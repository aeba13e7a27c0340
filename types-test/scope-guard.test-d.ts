import { expectAssignable, expectError, expectType } from "tsd";
import { ScopeGuard } from "ownkit";

const guard = new ScopeGuard(() => undefined);
expectType<boolean>(guard.armed);
expectType<void>(guard.dismiss());
expectAssignable<Disposable>(guard);

// The cleanup takes no arguments, and `armed` is read-only.
expectError(new ScopeGuard((reason: string) => reason));
expectError((guard.armed = false));
