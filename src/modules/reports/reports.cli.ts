// `consulaire reporting-role --password-env VAR [--role NAME]`: a PostgreSQL login that reads the
// `reporting` views (migration 2026-12-07T0155-reports-views) and nothing else, for outside BI
// tools. The password is read from the environment variable named, never from the command line
// (which other users of the machine can see).
import { sql } from 'kysely';
import type { ModuleContext } from '../../platform/module.js';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function reportingRoleCommand(ctx: ModuleContext, values: Record<string, string | boolean | undefined>): Promise<void> {
  if (ctx.dialect !== 'postgres') throw new Error('reporting-role: PostgreSQL only (SQLite has no roles; the reporting views exist on PostgreSQL).');
  const envName = typeof values['password-env'] === 'string' ? values['password-env'] : '';
  if (!envName) throw new Error('reporting-role: --password-env VAR is required (the name of an environment variable holding the password).');
  const password = process.env[envName];
  if (!password || password.length < 12) throw new Error(`reporting-role: the environment variable ${envName} must hold a password of at least 12 characters.`);
  const role = typeof values.role === 'string' && values.role ? values.role : 'consulaire_reporting';
  if (!ROLE_NAME.test(role)) throw new Error('reporting-role: --role must be a lower-case PostgreSQL identifier.');
  const literal = `'${password.replace(/'/g, "''")}'`;
  const exists = await sql<{ n: number }>`select count(*)::int as n from pg_roles where rolname = ${role}`.execute(ctx.db);
  const verb = Number(exists.rows[0]?.n) > 0 ? 'alter' : 'create';
  await sql.raw(`${verb} role ${role} login nosuperuser nocreatedb nocreaterole noinherit password ${literal}`).execute(ctx.db);
  const dbName = (await sql<{ d: string }>`select current_database() as d`.execute(ctx.db)).rows[0].d;
  await sql.raw(`grant connect on database "${dbName.replace(/"/g, '""')}" to ${role}`).execute(ctx.db);
  await sql.raw(`revoke all on schema public from ${role}`).execute(ctx.db);
  await sql.raw(`grant usage on schema reporting to ${role}`).execute(ctx.db);
  await sql.raw(`grant select on all tables in schema reporting to ${role}`).execute(ctx.db);
  await sql.raw(`alter default privileges in schema reporting grant select on tables to ${role}`).execute(ctx.db);
  await sql.raw(`alter role ${role} set default_transaction_read_only = on`).execute(ctx.db);
  await sql.raw(`alter role ${role} set search_path = reporting`).execute(ctx.db);
  process.stdout.write(`Role ${role} ${verb === 'create' ? 'created' : 'updated'}: read-only on the reporting views of ${dbName}.\n`);
}
