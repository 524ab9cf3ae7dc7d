// Command-line commands contributed by modules (e.g. `import sirene`, `seed --establishments`).
// Kept apart from main.ts so a module adds a command by adding one entry here.
import type { ModuleContext } from './platform/module.js';
import { reportingRoleCommand } from './modules/reports/reports.cli.js';
import { importSireneCommand, seedEstablishmentsCommand } from './modules/registry/registry.cli.js';
import { fecCommand, sepaCommand } from './modules/accounting/accounting.cli.js';
import { sendCampaignCommand } from './modules/mailing/mailing.cli.js';

export interface Command {
  /** first word, e.g. 'import' */
  name: string;
  /** second word, e.g. 'sirene' */
  sub?: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean' }>;
  run(ctx: ModuleContext, values: Record<string, string | boolean | undefined>): Promise<void>;
}

export const COMMANDS: Command[] = [
  {
    name: 'import',
    sub: 'sirene',
    usage: 'import sirene --unites F --etablissements F [--report F] [--batch N] [--bulk-from N] [--commit-each-batch]   import SIRENE stock files (territory only; one transaction, Ctrl-C leaves the registry unchanged)',
    options: { unites: { type: 'string' }, etablissements: { type: 'string' }, report: { type: 'string' }, batch: { type: 'string' }, 'bulk-from': { type: 'string' }, 'commit-each-batch': { type: 'boolean' } },
    run: importSireneCommand,
  },
  {
    name: 'seed',
    usage: 'seed --establishments N                synthetic registry of N establishments (benchmarks)',
    options: { establishments: { type: 'string' } },
    run: seedEstablishmentsCommand,
  },
  {
    name: 'mailing',
    sub: 'send',
    usage: 'mailing send --campaign N                 send a campaign (status "sending") until finished; resumes after a crash',
    options: { campaign: { type: 'string' } },
    run: sendCampaignCommand,
  },
  {
    name: 'fec',
    usage: 'fec --from YYYY-MM-DD --to YYYY-MM-DD --out F   accounting entries file (FEC) of a period',
    options: { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
    run: fecCommand,
  },
  {
    name: 'sepa',
    usage: 'sepa --latest --out F (or --id N)        pain.001 file of the latest (or a given) SEPA batch',
    options: { latest: { type: 'boolean' }, out: { type: 'string' } },
    run: sepaCommand,
  },
  {
    name: 'reporting-role',
    usage: 'reporting-role --password-env VAR [--role NAME]   PostgreSQL: a read-only login on the reporting views (BI tools)',
    options: { 'password-env': { type: 'string' }, role: { type: 'string' } },
    run: reportingRoleCommand,
  },
];
