// THE reviewed file: every permission of Consulaire and which role grants it.
// A change here is a security change: review it as such. Modules reference these names;
// routes declare the coarse permission they need, services check records (see policies in
// each module). API scopes are separate and listed at the end.

export const ROLES = [
  'admin',
  'direction',
  'manager',
  'adviser',
  'documentation',
  'editor',
  'webmaster',
  'hr',
  'accounting',
  'training',
  'staff',
] as const;
export type Role = (typeof ROLES)[number];

/** The audience of the extranet: not a staff role, never granted staff permissions. */
export const MEMBER_AUDIENCE = 'member' as const;

export const PERMISSIONS = [
  // platform
  'portal:use', // sign in to the staff portal at all
  'admin:users', // create, invite, deactivate users, assign roles
  'admin:audit', // read the audit log
  'admin:outbox', // read the mail outbox (demo mode)
  'admin:settings', // CCI settings (territory, lists)
  'admin:jobs', // see background jobs
  'api:tokens', // create personal API tokens
  // registry (M1)
  'registry:read',
  'registry:edit',
  'registry:import',
  'registry:merge',
  'registry:export',
  'registry:personal_data', // GDPR export / erasure of contacts
  // CRM (M2, M3)
  'crm:use', // read visits, deals, tasks (every adviser reads them all)
  'crm:write', // record visits, deals, tasks (an API token needs the crm:write scope for it)
  'crm:manage', // team's records (managers)
  'crm:all', // every record (direction)
  'crm:confidential', // read colleagues' confidential CRM notes (admin only: granted to no other role)
  'crm:reports',
  'crm:settings', // topics, services catalogue, pipeline stages
  // extranet back office (M4, M6)
  'extranet:manage', // invitations, sign-up approvals, change requests
  'extranet:requests', // answer members' requests
  'extranet:read', // see who has extranet access to a company and its members' activity (e-mails, sign-ins, consents, requests)
  // extranet, member audience only: granted per company by the extranet's member resolver,
  // never by a staff role (see MEMBER_ONLY below)
  'member:use', // a member of the current company: its pages, requests, corrections
  'member:admin', // an administrator of the current company: invites and manages colleagues
  // content (M5, M7, M8)
  'content:write',
  'content:publish',
  'content:admin', // sections and their rights
  'directory:edit',
  'workspace:create',
  // leave (M10)
  'leave:use', // own balances, quotes and requests, the team calendar (absences without their kind)
  'leave:hr', // staff groups, accrual rules, balances and adjustments, sickness records, every request, payroll export
  // staff processes (M10): who approves a request is decided by its type's steps, not by a permission
  'approvals:admin', // define request types (fields, steps), read and export every request, set anyone's deputy
  // reports (M13, #17): build, save, share and schedule reports; each subject also needs its own module's permission
  'reports:use',
  // messages (M9): conversations between staff need only the portal; who sees one is decided by its participants and assignees
  'messages:companies', // read and answer every non-confidential conversation with a member company, start one, assign them
  // statistics (M14) and steering (M17)
  'stats:read', // the statistics dashboard (usage of the sites, activity figures), the monthly reports and their subscription
  'stats:all', // every module's figures broken down by adviser and team (direction)
  'steering:read', // scenarios, action plan, committee decisions
  'steering:manage', // change scenarios and their lines, projects, milestones; record committee decisions
  // mailing (M9)
  'mailing:write', // lists, templates, campaign drafts, previews, test sends, letters
  'mailing:send', // start, schedule, pause, resume, cancel a campaign; retry its failures
  'mailing:admin', // opens/clicks tracking, the suppression list
  // accounting (#13, #15)
  'accounting:read', // journals, entries, trial balance, ledgers, payment orders and batches, FEC export
  'accounting:manage', // post manual OD entries and reversals, close a period, create and mark paid SEPA batches, debtor account
  // expenses (M10): spending requests and expense claims
  'expenses:use', // read one's own expense claims and spending requests (and those one approves)
  'expenses:write', // file one's own expense claims and spending requests, keep one's expenses profile (IBAN)
  'expenses:check', // accounting: check claims (ceilings, duplicates), queue their payment, post them; read every claim
  'expenses:admin', // budget lines and dated rates (meal and lodging ceilings, mileage scale)
  // apprenticeship-tax campaign (M11, #16); a school director's results are a per-school grant, not a permission
  'apprenticeship:follow', // the follow-up board, target companies (contact, adviser), exports, every school's results
  'apprenticeship:manage', // campaigns (windows, segment, goals), schools, reminder templates, school directors' grants
  // training centre (M12, #15)
  'training:manage', // catalogue, sessions, rooms, trainers, enrolments, attendance, invoices and credit notes, trainers' hours and pay
  'training:reports', // fill rates, revenue and margins, hours per trainer, satisfaction, the yearly BPF
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Permissions of the member audience: no staff role ever holds them, admin included. */
export const MEMBER_ONLY: readonly Permission[] = ['member:use', 'member:admin'];
const ALL: readonly Permission[] = PERMISSIONS.filter((p) => !MEMBER_ONLY.includes(p));

/** Everyone on the staff gets these. */
const STAFF: readonly Permission[] = ['portal:use', 'registry:read', 'api:tokens', 'leave:use', 'expenses:use', 'expenses:write', 'reports:use'];

export const ROLE_GRANTS: Record<Role, readonly Permission[]> = {
  admin: ALL,
  direction: [
    ...STAFF,
    'admin:audit',
    'registry:export',
    'crm:use',
    'crm:write',
    'crm:manage',
    'crm:all',
    'crm:reports',
    'crm:settings',
    'content:write',
    'workspace:create',
    'stats:read',
    'stats:all',
    'steering:read',
    'steering:manage',
    'accounting:read',
    'training:reports',
    'mailing:write',
    'mailing:send',
    'mailing:admin',
    'apprenticeship:follow', 'apprenticeship:manage',
    'messages:companies',
  ],
  manager: [...STAFF, 'crm:use', 'crm:write', 'crm:manage', 'crm:reports', 'registry:export', 'content:write', 'stats:read', 'steering:read', 'apprenticeship:follow', 'messages:companies'],
  adviser: [...STAFF, 'crm:use', 'crm:write', 'registry:edit', 'apprenticeship:follow', 'messages:companies'],
  documentation: [
    ...STAFF,
    'registry:edit',
    'registry:import',
    'registry:merge',
    'registry:export',
    'registry:personal_data',
    'extranet:manage',
    'extranet:requests',
    'extranet:read',
    'messages:companies',
  ],
  editor: [...STAFF, 'content:write', 'mailing:write'],
  webmaster: [...STAFF, 'content:write', 'content:publish', 'content:admin', 'directory:edit', 'stats:read', 'mailing:write', 'mailing:send'],
  hr: [...STAFF, 'directory:edit', 'approvals:admin', 'leave:hr'],
  accounting: [...STAFF, 'accounting:read', 'accounting:manage', 'expenses:check', 'expenses:admin', 'training:reports'],
  training: [...STAFF, 'content:write', 'crm:use', 'crm:write', 'training:manage', 'training:reports', 'apprenticeship:follow', 'apprenticeship:manage'],
  staff: [...STAFF],
};

/** API token scopes: a token can do at most what its owner can, and only within its scopes. */
export const API_SCOPES = {
  'registry:read': ['registry:read'],
  'registry:write': ['registry:read', 'registry:edit'],
  'registry:export': ['registry:read', 'registry:export'], // exports of a search (the map's GeoJSON)
  'crm:read': ['crm:use'],
  'crm:write': ['crm:use', 'crm:write'],
  'content:read': ['content:write'],
  'admin:read': ['admin:users', 'admin:audit'],
  'extranet:read': ['extranet:requests'], // members' requests queue, read-only
  'leave:read': ['leave:use'], // own balances and leave quotes (the API has no leave write yet)
  'reports:read': ['reports:use'], // saved reports' data; with the subject's own scope (registry:read, crm:read, extranet:read)
  'steering:read': ['steering:read'], // scenarios with their lines and computed totals
  'accounting:read': ['accounting:read'], // FEC export, payment batches and their pain.001
  'expenses:read': ['expenses:use'], // own expense claims and spending requests, read-only
  'expenses:write': ['expenses:use', 'expenses:write'], // and file them (create, submit)
} as const satisfies Record<string, readonly Permission[]>;
export type ApiScope = keyof typeof API_SCOPES;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isScope(value: string): value is ApiScope {
  return Object.hasOwn(API_SCOPES, value);
}

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) if (isRole(r)) for (const p of ROLE_GRANTS[r]) out.add(p);
  return out;
}
