// Reporting views for outside BI tools (Metabase, Superset, Excel/Power Query), PostgreSQL only:
// schema `reporting`, read-only views without personal data (no contact, no note, no message; a
// unit in partial diffusion keeps no name of a person, no sign, no address, no position). The
// command `consulaire reporting-role --password-env VAR` creates a login that may read them and
// nothing else. Documented in src/modules/reports/README.md. SQLite: nothing (one file, no role).
import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create schema if not exists reporting`.execute(db);
  await sql`create or replace view reporting.companies as
    select c.id, c.siren,
      case when c.diffusion = 'partial' and c.legal_form = '1000' then null else c.name end as name,
      c.legal_form, c.naf_code, c.headcount_band, c.headcount_year, c.category, c.creation_date, c.status, c.diffusion, c.source, c.ess, c.employer,
      c.created_at, c.updated_at
    from public.companies c where c.merged_into_id is null`.execute(db);
  await sql`create or replace view reporting.establishments as
    select e.id, e.siret, e.company_id, e.is_head_office, e.status, e.diffusion, e.creation_date, e.headcount_band,
      e.naf_code, e.naf25_code, e.naf_section, e.naf_division, e.legal_form, e.department, e.commune_code, e.postal_code, e.city,
      case when e.diffusion = 'partial' then null else e.sign end as sign,
      case when e.diffusion = 'partial' then null else e.latitude end as latitude,
      case when e.diffusion = 'partial' then null else e.longitude end as longitude,
      e.geo_source, e.created_at, e.updated_at
    from public.establishments e`.execute(db);
  await sql`create or replace view reporting.crm_visits as
    select v.id, v.company_id, v.owner_id, u.name as owner_name, v.visit_date, v.topics, v.created_at
    from public.crm_visits v join public.users u on u.id = v.owner_id`.execute(db);
  await sql`create or replace view reporting.crm_deals as
    select d.id, d.company_id, d.owner_id, u.name as owner_name, d.service_id, s.label as stage, s.kind as stage_kind, d.amount_cents, d.probability,
      d.expected_close_date, d.closed_on, d.lost_reason, d.created_at
    from public.crm_deals d join public.users u on u.id = d.owner_id join public.crm_stages s on s.id = d.stage_id`.execute(db);
  await sql`create or replace view reporting.member_requests as
    select r.id, r.company_id, r.category, r.status, r.assignee_id, r.first_response_at, r.closed_at, r.created_at
    from public.member_requests r`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop schema if exists reporting cascade`.execute(db);
}
