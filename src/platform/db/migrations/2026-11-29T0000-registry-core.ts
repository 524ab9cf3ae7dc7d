// Registry (M1): companies (legal units, SIREN), establishments (SIRET), contacts, tags, notes,
// change history, imports, saved segments; full-text index on establishments.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { timestampType, withId, withRecordColumns, isPostgres } from '../migration-kit.js';
import { addFullTextIndex } from '../search.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  const real = isPostgres(db) ? sql`double precision` : sql`real`;

  await withRecordColumns(db, withId(db, db.schema.createTable('companies')))
    .addColumn('siren', 'text', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('acronym', 'text') // sigle
    .addColumn('usual_name', 'text') // dénomination usuelle
    .addColumn('person_first_name', 'text') // sole traders (1000)
    .addColumn('person_last_name', 'text')
    .addColumn('legal_form', 'text') // catégorie juridique, 4 digits
    .addColumn('naf_code', 'text')
    .addColumn('naf25_code', 'text')
    .addColumn('headcount_band', 'text')
    .addColumn('headcount_year', 'integer')
    .addColumn('category', 'text') // PME, ETI, GE
    .addColumn('creation_date', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active')) // active | ceased
    .addColumn('diffusion', 'text', (c) => c.notNull().defaultTo('public')) // public | partial
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('sirene')) // sirene | manual
    .addColumn('head_office_nic', 'text')
    .addColumn('ess', 'integer')
    .addColumn('employer', 'integer')
    .addColumn('country_code', 'text') // foreign companies without SIREN
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('website', 'text')
    .addColumn('description', 'text')
    .addColumn('activity_text', 'text')
    .addColumn('merged_into_id', 'integer', (c) => c.references('companies.id'))
    .addColumn('sirene_hash', 'text')
    .addColumn('sirene_updated_at', 'text')
    .execute();
  await db.schema.createIndex('companies_name_idx').on('companies').column('name').execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('establishments')))
    .addColumn('siret', 'text', (c) => c.unique())
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('nic', 'text')
    .addColumn('sign', 'text') // enseigne
    .addColumn('usual_name', 'text')
    .addColumn('is_head_office', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active')) // active | closed
    .addColumn('diffusion', 'text', (c) => c.notNull().defaultTo('public'))
    .addColumn('creation_date', 'text')
    .addColumn('headcount_band', 'text')
    .addColumn('naf_code', 'text')
    .addColumn('naf25_code', 'text')
    // facet columns, derived at write time so counting never joins or parses
    .addColumn('naf_section', 'text')
    .addColumn('naf_division', 'text')
    .addColumn('legal_form', 'text')
    .addColumn('department', 'text')
    .addColumn('sort_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('address_complement', 'text')
    .addColumn('street_number', 'text')
    .addColumn('street_suffix', 'text')
    .addColumn('street_type', 'text')
    .addColumn('street_name', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('commune_code', 'text')
    .addColumn('city', 'text')
    .addColumn('cedex', 'text')
    .addColumn('country_code', 'text')
    .addColumn('country_name', 'text')
    .addColumn('latitude', real)
    .addColumn('longitude', real)
    .addColumn('geo_source', 'text') // sirene | centroid
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('sirene_hash', 'text')
    .execute();
  await db.schema.createIndex('establishments_company_idx').on('establishments').column('company_id').execute();
  // Facet and sort indexes: status first because every default search filters active ones.
  for (const col of ['naf_section', 'naf_division', 'department', 'commune_code', 'headcount_band', 'legal_form', 'sort_name', 'creation_date']) {
    await db.schema.createIndex(`establishments_${col}_idx`).on('establishments').columns(['status', col]).execute();
  }
  await addFullTextIndex(db, 'establishments', 'search_text');

  await withRecordColumns(db, withId(db, db.schema.createTable('contacts')))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('establishment_id', 'integer', (c) => c.references('establishments.id'))
    .addColumn('civility', 'text')
    .addColumn('first_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('is_officer', 'integer', (c) => c.notNull().defaultTo(0)) // dirigeant
    .addColumn('consent', 'text', (c) => c.notNull().defaultTo('unknown')) // unknown | granted | refused
    .addColumn('consent_date', 'text')
    .addColumn('consent_source', 'text')
    .addColumn('erased_at', ts)
    .execute();
  await db.schema.createIndex('contacts_company_idx').on('contacts').column('company_id').execute();
  await db.schema.createIndex('contacts_email_idx').on('contacts').column('email').execute();

  await withId(db, db.schema.createTable('registry_tags'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('registry_company_tags')
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('tag_id', 'integer', (c) => c.notNull().references('registry_tags.id'))
    .addPrimaryKeyConstraint('registry_company_tags_pk', ['company_id', 'tag_id'])
    .execute();
  await db.schema.createIndex('registry_company_tags_tag_idx').on('registry_company_tags').columns(['tag_id', 'company_id']).execute();

  await withId(db, db.schema.createTable('registry_notes'))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('author_id', 'integer')
    .addColumn('author_label', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('registry_notes_company_idx').on('registry_notes').column('company_id').execute();

  // What changed on a record and when, by import or by hand (shown on the record, used by the CRM).
  await withId(db, db.schema.createTable('registry_changes'))
    .addColumn('company_id', 'integer', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull()) // company | establishment | contact
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull()) // sirene | manual | correction | merge
    .addColumn('import_id', 'integer')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull()) // create | update | close | merge
    .addColumn('changes', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('registry_changes_company_idx').on('registry_changes').columns(['company_id', 'at']).execute();

  await withId(db, db.schema.createTable('registry_imports'))
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('finished_at', ts)
    .addColumn('status', 'text', (c) => c.notNull()) // running | done | failed
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('units_file', 'text')
    .addColumn('establishments_file', 'text')
    .addColumn('stats', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('error', 'text')
    .addColumn('job_id', 'integer')
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('registry_segments')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull()) // the search URL's query string
    .addColumn('owner_id', 'integer')
    .execute();

  // "Not a duplicate" decisions, so a dismissed pair does not come back.
  await db.schema
    .createTable('registry_duplicate_dismissals')
    .addColumn('company_a', 'integer', (c) => c.notNull())
    .addColumn('company_b', 'integer', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('registry_dup_dismissals_pk', ['company_a', 'company_b'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['registry_duplicate_dismissals', 'registry_segments', 'registry_imports', 'registry_changes', 'registry_notes', 'registry_company_tags', 'registry_tags', 'contacts']) await db.schema.dropTable(t).execute();
  if (!isPostgres(db)) await sql.raw('drop table if exists establishments_fts').execute(db);
  await db.schema.dropTable('establishments').execute();
  await db.schema.dropTable('companies').execute();
}
