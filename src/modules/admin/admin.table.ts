// The admin module owns no table: its screens read and change the platform's (users, API
// tokens, audit log, mail outbox, jobs, settings). Its handle is the platform's, typed, so a
// wrong column in an admin query fails tsc like anywhere else.
import type { PlatformDb } from '../../platform/db/typed.js';

export type AdminDb = PlatformDb;
