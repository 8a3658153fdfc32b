// What a shell completes for `policygate`, derived from the commands themselves: their declared
// options (the objects the parser reads) for names, value kinds and fixed choices, and their --help
// text for what each option's value is called and what the option does (zsh and fish show both).
import type { Command } from '../command.js';

export interface CompletedOption {
  long: string;
  short: string | undefined;
  /** False for a flag (`--dev`); true when a value follows (`--port N`, `--port=N`). */
  takesValue: boolean;
  multiple: boolean;
  /** The value: one of these words, a file, a directory, or free text (nothing to offer). */
  value: { choices: readonly string[] } | { path: 'file' | 'directory' } | undefined;
  /** The value's name in --help (FILE, FORMAT, N), for zsh's message. */
  valueName: string;
  description: string;
}

export interface CompletedCommand {
  name: string;
  summary: string;
  options: CompletedOption[];
  /** What follows the options: paths, one of a fixed set of words, or nothing. */
  operands: 'paths' | readonly string[] | undefined;
}

/** The top level: `policygate --help`, `policygate --version`, and `policygate help`. */
export const TOP_LEVEL_OPTIONS: readonly CompletedOption[] = [
  { long: 'help', short: 'h', takesValue: false, multiple: false, value: undefined, valueName: '', description: 'show the usage' },
  { long: 'version', short: 'v', takesValue: false, multiple: false, value: undefined, valueName: '', description: 'print the version' },
];
export const HELP_COMMAND = { name: 'help', summary: 'show the usage' };

/** Every command answers --help (main.ts does, before the command parses anything). */
const HELP_OPTION: CompletedOption = { long: 'help', short: 'h', takesValue: false, multiple: false, value: undefined, valueName: '', description: 'show this help' };

/**
 * An option's line in a usage text (`  -c, --config FILE    the policygate configuration …`, wrapped
 * lines indented further): the value's name and the description, wrapped lines joined.
 */
function documented(usage: string, long: string): { valueName: string; description: string } {
  const lines = usage.split('\n');
  const at = lines.findIndex((line) => new RegExp(`^ {2}(?:-[a-zA-Z], | {4})?--${long}(?![a-z-])`).test(line));
  const line = lines[at];
  if (line === undefined) return { valueName: 'VALUE', description: '' };
  const [, valueName = 'VALUE', first = ''] = new RegExp(`--${long}(?: ([A-Z][A-Z_]*))?\\s*(.*)$`).exec(line) ?? [];
  const parts = [first];
  for (const next of lines.slice(at + 1)) {
    if (!/^ {6,}\S/.test(next) || /^ {2,6}-/.test(next)) break;
    parts.push(next.trim());
  }
  return { valueName, description: parts.join(' ').trim() };
}

export function completedCommand(command: Command): CompletedCommand {
  const options = Object.entries(command.options).map(([long, spec]): CompletedOption => {
    const { valueName, description } = documented(command.usage, long);
    const value = spec.choices ? { choices: spec.choices } : spec.path ? { path: spec.path } : undefined;
    return { long, short: spec.short, takesValue: spec.type === 'string', multiple: spec.multiple === true, value, valueName, description };
  });
  return { name: command.name, summary: command.summary, options: [...options, HELP_OPTION], operands: command.operands };
}

/** `-c` and `--config`, as typed. */
export function spellings(option: CompletedOption): string[] {
  return option.short === undefined ? [`--${option.long}`] : [`-${option.short}`, `--${option.long}`];
}
