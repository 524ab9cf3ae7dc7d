// Command line of the mailing module: `mailing send --campaign N` sends a campaign that is
// 'sending' until it is finished (taking it over once a dead sender's lease expired).
import type { ModuleContext } from '../../platform/module.js';
import { sendCampaignFromCli } from './index.js';

export async function sendCampaignCommand(ctx: ModuleContext, values: Record<string, string | boolean | undefined>): Promise<void> {
  const id = Number(values.campaign);
  if (!Number.isInteger(id) || id < 1) throw new Error('--campaign needs a campaign number');
  const state = await sendCampaignFromCli(ctx, id, (line) => process.stderr.write(`${line}\n`));
  console.log(`Campaign #${id}: ${state}.`);
}
