import type { ModuleContext } from '../../platform/module.js';
export async function seedApprovalsDemo(_ctx: ModuleContext, _log: (line: string) => void): Promise<void> {}
