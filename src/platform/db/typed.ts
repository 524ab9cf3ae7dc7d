// Typed database handles for modules. `ModuleContext.db` is `Kysely<any>` because the platform
// knows no module's tables; each module declares its own handle over its tables (which extend
// the platform's) and every query and service of the module takes that handle, so Kysely checks
// table and column names where modules meet their data. See docs/MODULES.md, "Database handle".
import type { Kysely, Transaction } from 'kysely';
import type { PlatformTables } from './tables.js';

/**
 * A module's handle: `export type ContentDb = ModuleDb<ContentTables>`, with
 * `interface ContentTables extends PlatformTables { … }`.
 *
 * No cast is needed to get one: `Kysely<any>` (ctx.db, a job's db, a test's db) is assignable to
 * `Kysely<T>`. `Transaction<T>` is in the union because a transaction opened on an untyped handle
 * is a `Transaction<any>`, which TypeScript will not assign to `Kysely<T>` (it compares the two
 * classes member by member and fails on `fn.any`) but does assign to `Transaction<T>`.
 */
export type ModuleDb<Tables extends PlatformTables> = Kysely<Tables> | Transaction<Tables>;

/**
 * The platform's own handle, over its tables only (users, sessions, audit_log, jobs…). Platform
 * functions that modules call take `AnyDb` (any module's handle fits) and pass it on to this one:
 * `Kysely<any>` is assignable to it, so no cast. A module that owns no table (admin) uses it too.
 */
export type PlatformDb = ModuleDb<PlatformTables>;

/**
 * What a function exported to other modules (through index.ts) takes: the caller's own handle.
 * Kysely is invariant in its table map, so an `ExtranetDb` is not a `ContentDb` (nor a
 * `Kysely<PlatformTables>`); the exported function passes this handle straight to its own typed
 * queries, to which `Kysely<any>` is assignable. Only index.ts signatures use it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CallerDb = Kysely<any>;
