// Only the documented entry points resolve: internal modules are closed by the exports map.
// @expect-error TS2307 "Cannot find module 'ownkit/internal/anything'"
import { secret } from "ownkit/internal/anything";

export const value: unknown = secret;
