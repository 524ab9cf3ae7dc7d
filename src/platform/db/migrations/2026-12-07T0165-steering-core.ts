// Steering (M17): costed scenarios and their lines (amounts in euro cents; the historic plan's
// francs kept beside them), a stated total per kind that may disagree with the lines, the action
// plan's projects, milestones and dependencies, and the steering committee's decisions.
import type { Kysely } from 'kysely';
import { timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  await withRecordColumns(db, withId(db, db.schema.createTable('steering_projects')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.references('users.id'))
    .addColumn('phase', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull()) // planned | running | done | stopped
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text', (c) => c.notNull())
    .addColumn('budget_planned_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('budget_consumed_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('steering_dependencies')
    .addColumn('project_id', 'integer', (c) => c.notNull().references('steering_projects.id'))
    .addColumn('depends_on_id', 'integer', (c) => c.notNull().references('steering_projects.id'))
    .addPrimaryKeyConstraint('steering_dependencies_pk', ['project_id', 'depends_on_id'])
    .execute();

  await withId(db, db.schema.createTable('steering_milestones'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('steering_projects.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('steering_milestones_project_idx').on('steering_milestones').column('project_id').execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('steering_scenarios')))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('historic', 'integer', (c) => c.notNull().defaultTo(0)) // amounts typed in francs
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    // "stated" totals as written (imported or typed): compared with the lines, never shown as the total
    .addColumn('stated_investment_cents', 'bigint')
    .addColumn('stated_running_cents', 'bigint')
    .addColumn('stated_gain_cents', 'bigint')
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('steering_lines')))
    .addColumn('scenario_id', 'integer', (c) => c.notNull().references('steering_scenarios.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // investment | running | gain
    .addColumn('category', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('francs', 'bigint') // the historic plan's amount as written, in francs
    .addColumn('project_id', 'integer', (c) => c.references('steering_projects.id'))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('steering_lines_scenario_idx').on('steering_lines').column('scenario_id').execute();

  await withId(db, db.schema.createTable('steering_decisions'))
    .addColumn('decided_on', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('scenario_id', 'integer', (c) => c.references('steering_scenarios.id'))
    .addColumn('project_id', 'integer', (c) => c.references('steering_projects.id'))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
}
