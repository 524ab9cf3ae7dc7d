// The SIRENE import runs as the portal shows them: the latest runs, one run with its progress
// and rejected lines (from its background job), and an upload queued as a job. The import itself
// is import.service.ts.
import { rmSync } from 'node:fs';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { enqueue, getJob, type JobContext } from '../../platform/jobs/index.js';
import { conflict, notFound } from '../../platform/errors.js';
import { ImportCancelled, importSireneStock, type ImportStats, type RejectedRow } from './import.service.js';
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
  /** a cancel was asked and the import has not stopped yet */
  cancelRequested: boolean;
  /** a background job runs it (the page can cancel it; a command-line run stops with Ctrl-C) */
  cancellable: boolean;
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
    cancelRequested: row.cancel_requested_at !== null, cancellable: row.job_id !== null,
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

/**
 * Asks a running import to stop (the page's cancel button). The import is a background job,
 * possibly on another instance: it reads this request between two batches (at most a second
 * later), stops, and marks the run cancelled. Audited. A finished run cannot be cancelled.
 */
export async function cancelImport(db: RegistryDb, actor: Actor, id: number): Promise<void> {
  const row = await db.selectFrom('registry_imports').select(['id', 'status', 'job_id', 'cancel_requested_at']).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('common.not_found');
  if (row.status !== 'running' || row.job_id === null) throw conflict('registry.import_not_running');
  if (row.cancel_requested_at) return; // asked already: the same answer, nothing written twice
  const at = nowIso();
  await db.updateTable('registry_imports').set({ cancel_requested_at: at }).where('id', '=', id).execute();
  await record(db, actor, { entity: 'registry_import', entityId: id, action: 'cancel', changes: { cancel_requested_at: [null, at] } });
}

async function cancelRequested(db: RegistryDb, id: number): Promise<boolean> {
  const row = await db.selectFrom('registry_imports').select('cancel_requested_at').where('id', '=', id).executeTakeFirst();
  return !!row?.cancel_requested_at;
}

export interface ImportJobPayload {
  importId: number;
  unitsFile: string;
  establishmentsFile: string;
  actorLabel: string;
  actorId: number | null;
}

/**
 * The `registry.import` job: the upload's import, beside the requests (short batches, ADR 0009),
 * watching for a cancel request once a second. A cancelled run ends the job normally (the run
 * says "cancelled"); its uploaded files are removed either way.
 */
export async function runImportJob(payload: ImportJobPayload, job: JobContext, territory: readonly string[]): Promise<{ stats: ImportStats; rejected: RejectedRow[]; cancelled?: boolean }> {
  const db: RegistryDb = job.db;
  const stop = new AbortController();
  const watch = async () => {
    if (!stop.signal.aborted && (await cancelRequested(db, payload.importId))) stop.abort();
  };
  const timer = setInterval(() => void watch().catch(() => {}), 1000);
  try {
    await watch();
    const result = await importSireneStock(db, {
      unitsFile: payload.unitsFile,
      establishmentsFile: payload.establishmentsFile,
      territory,
      importId: payload.importId,
      besideRequests: true,
      signal: stop.signal,
      actor: { id: payload.actorId, label: payload.actorLabel, kind: 'staff', roles: [], permissions: new Set(['registry:import']) },
      onProgress: (p) => job.progress({ ...p }),
    });
    return { stats: result.stats, rejected: result.rejected.slice(0, 200) };
  } catch (e) {
    if (!(e instanceof ImportCancelled)) throw e;
    const row = await db.selectFrom('registry_imports').select('stats').where('id', '=', payload.importId).executeTakeFirst();
    return { stats: JSON.parse(row?.stats || '{}') as ImportStats, rejected: [], cancelled: true };
  } finally {
    clearInterval(timer);
    try {
      rmSync(payload.unitsFile, { force: true });
      rmSync(payload.establishmentsFile, { force: true });
    } catch {
      /* the files are temporary; a leftover is harmless */
    }
  }
}
