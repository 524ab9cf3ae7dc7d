// Apprenticeship-tax campaign (issue #16): dated rule sets, campaigns and their SOLTéA windows,
// the CCI's beneficiary schools and their goals, the campaign's target companies, members'
// declarations and pledges, reminder templates and the reminders sent, school directors' grants.
// Money in integer cents (bigint), headcounts in hundredths, shares of the solde in basis points.
import type { Kysely } from 'kysely';
import { timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  await withRecordColumns(db, withId(db, db.schema.createTable('apprenticeship_rate_sets')))
    .addColumn('regime', 'text', (c) => c.notNull()) // since2022 | octa2014: the code that computes
    .addColumn('from_year', 'integer', (c) => c.notNull())
    .addColumn('to_year', 'integer') // null: open-ended
    .addColumn('rates', 'text', (c) => c.notNull()) // JSON, ppm of the payroll and bp of the tax
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('apprenticeship_campaigns')))
    .addColumn('year', 'integer', (c) => c.notNull().unique())
    .addColumn('payroll_year', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'integer')
    .addColumn('targets_refreshed_at', ts)
    .execute();

  await withId(db, db.schema.createTable('apprenticeship_windows'))
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('apprenticeship_campaigns.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('opens_on', 'text', (c) => c.notNull())
    .addColumn('closes_on', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('apprenticeship_windows_campaign_idx').on('apprenticeship_windows').columns(['campaign_id', 'position']).execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('apprenticeship_schools')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('siret', 'text', (c) => c.notNull().unique())
    .addColumn('uai', 'text', (c) => c.notNull())
    .addColumn('trainings', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('contact_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('contact_email', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('contact_phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('apprenticeship_campaign_schools')
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('apprenticeship_campaigns.id'))
    .addColumn('school_id', 'integer', (c) => c.notNull().references('apprenticeship_schools.id'))
    .addColumn('goal_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('apprenticeship_campaign_schools_pk', ['campaign_id', 'school_id'])
    .execute();

  await withId(db, db.schema.createTable('apprenticeship_targets'))
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('apprenticeship_campaigns.id'))
    .addColumn('company_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('adviser_id', 'integer')
    .addColumn('naf_section', 'text')
    .addColumn('department', 'text')
    .addColumn('contacted_at', ts)
    .addColumn('contact_note', 'text')
    .addUniqueConstraint('apprenticeship_targets_uq', ['campaign_id', 'company_id'])
    .execute();
  await db.schema.createIndex('apprenticeship_targets_contacted_idx').on('apprenticeship_targets').columns(['campaign_id', 'contacted_at', 'name']).execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('apprenticeship_declarations')))
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('apprenticeship_campaigns.id'))
    .addColumn('company_id', 'integer', (c) => c.notNull())
    .addColumn('payroll_cents', 'bigint', (c) => c.notNull())
    .addColumn('employees100', 'integer', (c) => c.notNull())
    .addColumn('work_study100', 'integer', (c) => c.notNull())
    .addColumn('alsace_moselle', 'integer', (c) => c.notNull())
    .addColumn('main_cents', 'bigint', (c) => c.notNull())
    .addColumn('solde_cents', 'bigint', (c) => c.notNull())
    .addColumn('csa_cents', 'bigint', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', ts)
    .addUniqueConstraint('apprenticeship_declarations_uq', ['campaign_id', 'company_id'])
    .execute();

  await withId(db, db.schema.createTable('apprenticeship_pledges'))
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('apprenticeship_campaigns.id'))
    .addColumn('company_id', 'integer', (c) => c.notNull())
    .addColumn('school_id', 'integer', (c) => c.notNull().references('apprenticeship_schools.id'))
    .addColumn('pledged_bp', 'integer', (c) => c.notNull())
    .addColumn('pledged_cents', 'bigint', (c) => c.notNull())
    .addColumn('confirmed_bp', 'integer')
    .addColumn('confirmed_cents', 'bigint')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('apprenticeship_pledges_uq', ['campaign_id', 'company_id', 'school_id'])
    .execute();
  await db.schema.createIndex('apprenticeship_pledges_school_idx').on('apprenticeship_pledges').columns(['campaign_id', 'school_id']).execute();

  await db.schema
    .createTable('apprenticeship_templates')
    .addColumn('code', 'text', (c) => c.primaryKey()) // before_open | before_close
    .addColumn('days_before', 'integer', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await withId(db, db.schema.createTable('apprenticeship_reminders'))
    .addColumn('window_id', 'integer', (c) => c.notNull().references('apprenticeship_windows.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'integer', (c) => c.notNull())
    .addColumn('company_id', 'integer', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('mail_id', 'integer')
    .addColumn('sent_at', ts, (c) => c.notNull())
    .addUniqueConstraint('apprenticeship_reminders_uq', ['window_id', 'code', 'contact_id'])
    .execute();

  await db.schema
    .createTable('apprenticeship_school_grants')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('school_id', 'integer', (c) => c.notNull().references('apprenticeship_schools.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('apprenticeship_school_grants_pk', ['user_id', 'school_id'])
    .execute();

  // The rule sets in force (DOMAIN.md "Apprenticeship tax"): rates in millionths of the payroll
  // (0.59 % = 5,900), shares of the tax in basis points. Code per regime (rules.ts).
  const now = new Date().toISOString();
  const csa = {
    minEmployees: 250,
    largeEmployees: 2000,
    bands: [
      { belowPct: 1, ppm: 4000, largePpm: 6000 },
      { belowPct: 2, ppm: 2000 },
      { belowPct: 3, ppm: 1000 },
      { belowPct: 5, ppm: 500 },
    ],
    alsaceBands: [
      { belowPct: 1, ppm: 2080, largePpm: 3120 },
      { belowPct: 2, ppm: 1040 },
      { belowPct: 3, ppm: 520 },
      { belowPct: 5, ppm: 260 },
    ],
  };
  await db
    .insertInto('apprenticeship_rate_sets')
    .values([
      { regime: 'since2022', from_year: 2022, to_year: null, rates: JSON.stringify({ mainPpm: 5900, soldePpm: 900, alsaceMainPpm: 4400, csa }), created_at: now, updated_at: now },
      {
        regime: 'octa2014',
        from_year: 2014,
        to_year: 2019,
        rates: JSON.stringify({ taxPpm: 6800, alsaceTaxPpm: 4400, regionalBp: 5100, quotaBp: 2600, horsQuotaBp: 2300, alsaceRegionalBp: 5100, alsaceQuotaBp: 4900, csa }),
        created_at: now,
        updated_at: now,
      },
    ])
    .execute();

  await db
    .insertInto('apprenticeship_templates')
    .values([
      {
        code: 'before_open',
        days_before: 7,
        subject: 'Taxe d’apprentissage {{annee}} : la campagne SOLTéA ouvre le {{date}}',
        body: 'Madame, Monsieur,\n\nLa plateforme SOLTéA ouvre le {{date}} pour affecter le solde de la taxe d’apprentissage de {{entreprise}}. Les écoles de la CCI forment vos futurs collaborateurs : calculez votre solde et préparez votre affectation sur votre espace entreprise :\n{{lien}}\n\nMerci de votre soutien.',
        updated_at: now,
      },
      {
        code: 'before_close',
        days_before: 5,
        subject: 'Taxe d’apprentissage {{annee}} : SOLTéA ferme le {{date}}',
        body: 'Madame, Monsieur,\n\nIl reste quelques jours, jusqu’au {{date}}, pour affecter le solde de la taxe d’apprentissage de {{entreprise}} sur SOLTéA. Le récapitulatif avec les numéros SIRET et UAI de nos écoles est sur votre espace entreprise :\n{{lien}}\n\nMerci de votre soutien.',
        updated_at: now,
      },
    ])
    .execute();
}
