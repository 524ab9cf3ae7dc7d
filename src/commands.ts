// Command-line commands contributed by modules (e.g. `import sirene`, `seed --establishments`).
// Kept apart from main.ts so a module adds a command by adding one entry here.
import type { ModuleContext } from './platform/module.js';

export interface Command {
  /** first word, e.g. 'import' */
  name: string;
  /** second word, e.g. 'sirene' */
  sub?: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean' }>;
  run(ctx: ModuleContext, values: Record<string, string | boolean | undefined>): Promise<void>;
}

export const COMMANDS: Command[] = [];
