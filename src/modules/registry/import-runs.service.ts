// The SIRENE import runs as the portal shows them: the latest runs, one run with its progress
// and rejected lines (from its background job), and an upload queued as a job. The import itself
// is import.service.ts.
import type { Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { enqueue, getJob } from '../../platform/jobs/index.js';
import { notFound } from '../../platform/errors.js';
import type { RegistryDb, RegistryImportsTable } from './registry.table.js';
import type { Selectable } from 'kysely';

type ImportRow = Selectable<RegistryImportsTable>;
type JobState = { status: string; progress: string | null; last_error: string | null };

/** A run as the pages show it: its row, with the job's state while it is queued, running or failed. */
export interface ImportView {
  id: number;
  started_at: string;
  finished_at: string | null;
  status: string;
  actor_label: string;
  units_file: string | null;
  establishments_file: string | null;
  stats: Record<string, number>;
  error: string | null;
  progress?: { phase: string; rows: number; rate: number; percent: number; etaSeconds: number | null } | null;
}

/** A line of a SIRENE file the import left out, and why. */
export interface RejectedLine {
  line: number;
  key: string;
  reason: string;
  file: string;
}

export function importView(row: ImportRow, job?: JobState): ImportView {
  const status = row.status === 'running' && job ? (job.status === 'queued' ? 'queued' : job.status === 'failed' ? 'failed' : row.status) : row.status;
  return {
    id: row.id, started_at: row.started_at, finished_at: row.finished_at, status, actor_label: row.actor_label, units_file: row.units_file, establishments_file: row.establishments_file,
    stats: JSON.parse(row.stats || '{}'), error: row.error ?? (job?.status === 'failed' ? job.last_error : null), progress: job?.progress ? JSON.parse(job.progress) : null,
  };
}

/** The latest runs, newest first. */
export async function listImports(db: RegistryDb, limit = 30): Promise<ImportView[]> {
  const rows = await db.selectFrom('registry_imports').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return Promise.all(rows.map(async (x) => importView(x, x.job_id ? await getJob(db, x.job_id) : undefined)));
}

/** One run and the lines its job rejected (at most 200), or 404. */
export async function getImport(db: RegistryDb, id: number): Promise<{ imp: ImportView; rejected: RejectedLine[] }> {
  const row = await db.selectFrom('registry_imports').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('common.not_found');
  const job = row.job_id ? await getJob(db, row.job_id) : undefined;
  const rejected = job?.result ? ((JSON.parse(job.result) as { rejected?: RejectedLine[] }).rejected ?? []) : [];
  return { imp: importView(row, job), rejected: rejected.slice(0, 200) };
}

/**
 * An uploaded pair of files (already saved under DATA_DIR/imports) becomes a run and its job
 * (`registry.import`, one attempt: a failed import is looked at, not retried blindly). The run
 * names the actor; the import's own audit row is written when it finishes.
 */
export async function queueImport(db: RegistryDb, actor: Actor, files: { units: string; establishments: string }, names: { units: string; establishments: string }): Promise<number> {
  const row = await db
    .insertInto('registry_imports')
    .values({ started_at: nowIso(), status: 'running', actor_label: actor.label, units_file: names.units, establishments_file: names.establishments, stats: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const jobId = await enqueue(db, 'registry.import', { importId: row.id, unitsFile: files.units, establishmentsFile: files.establishments, actorLabel: actor.label, actorId: actor.id }, { maxAttempts: 1 });
  await db.updateTable('registry_imports').set({ job_id: jobId }).where('id', '=', row.id).execute();
  return row.id;
}
