// Record rules of the registry: who may change a company or a contact, who may export, import,
// merge or handle a person's data, and what a reader is shown. Pure functions of the actor (and
// the row): the services enforce them with the assertCan… functions and the views call the same
// functions to show or hide a button, so a screen never offers what the service refuses.
import { assertCan, can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { AppError, forbidden } from '../../platform/errors.js';
import type { CompanyRow } from './registry.table.js';

/** Changing the registry by hand: manual companies, contacts, consent, tags, notes. */
export const mayEditRegistry = (actor: Actor): boolean => can(actor, 'registry:edit');

export function assertCanEditRegistry(actor: Actor): void {
  assertCan(actor, 'registry:edit');
}

/**
 * A company's record and its contacts are changed by those who edit the registry, until the
 * company is merged into another: from then on the kept record is the one to change (its page
 * says so and links to it).
 */
export function mayEditCompany(actor: Actor, company: Pick<CompanyRow, 'merged_into_id'>): boolean {
  return mayEditRegistry(actor) && !company.merged_into_id;
}

/** 401/403 without the right; 409 `registry.company_merged` on a merged company. */
export function assertCanEditCompany(actor: Actor, company: Pick<CompanyRow, 'merged_into_id'>): void {
  assertCanEditRegistry(actor);
  if (company.merged_into_id) throw new AppError('conflict', 'registry.company_merged');
}

/** CSV and XLSX exports of a search (audited: who took which part of the registry). */
export const mayExport = (actor: Actor): boolean => can(actor, 'registry:export');

export function assertCanExport(actor: Actor): void {
  assertCan(actor, 'registry:export');
}

/** SIRENE stock imports. */
export const mayImport = (actor: Actor): boolean => can(actor, 'registry:import');

/** Probable duplicates and their merge (the documentation service). */
export const mayMerge = (actor: Actor): boolean => can(actor, 'registry:merge');

export function assertCanMerge(actor: Actor): void {
  assertCan(actor, 'registry:merge');
}

/** A contact's data: the GDPR export (right of access) and erasure. */
export const mayHandlePersonalData = (actor: Actor): boolean => can(actor, 'registry:personal_data');

export function assertCanHandlePersonalData(actor: Actor): void {
  assertCan(actor, 'registry:personal_data');
}

/** The audit rows on a company page: auditors, and those who may change the record. */
export const maySeeAudit = (actor: Actor): boolean => can(actor, 'admin:audit') || mayEditRegistry(actor);

/**
 * A saved segment is deleted by the person who saved it, or by the documentation service (merge
 * right), which tidies the shared list.
 */
export function mayDeleteSegment(actor: Actor, segment: { owner_id: number | null }): boolean {
  return (segment.owner_id !== null && segment.owner_id === actor.id) || mayMerge(actor);
}

export function assertCanDeleteSegment(actor: Actor, segment: { owner_id: number | null }): void {
  if (!mayDeleteSegment(actor, segment)) throw forbidden();
}

/**
 * Personal fields are those of sole traders (their name, in the unit's name). A unit in partial
 * diffusion shows them on staff screens only; exports and the API blank them for every caller
 * (export.service.ts, registry.api.ts), since what leaves the portal is not a staff screen.
 */
export function maySeePersonalFields(actor: Actor, company: Pick<CompanyRow, 'diffusion'>): boolean {
  return company.diffusion === 'public' || (actor.kind === 'staff' && can(actor, 'registry:read'));
}
