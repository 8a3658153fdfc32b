// Each command declares its options once, as data: the parser reads them and so does completion. Its
// --help is written by hand; this keeps the two in step, flag for flag, short form included.
import { describe, expect, it } from 'vitest';
import { COMMANDS, loadCommands } from '../../src/cli/commands.js';

/** `-c, --config FILE` or `--port N` at the start of an option line of a usage text: [long, short]. */
function documentedOptions(usage: string): [string, string | undefined][] {
  const options = usage.slice(usage.indexOf('\nOptions:\n'));
  return [...options.matchAll(/^ {2}(?:-([a-zA-Z]), | {4})?--([a-z][a-z-]*)/gm)].map((match) => [match[2] ?? '', match[1]]);
}

describe('command options', async () => {
  const commands = await loadCommands();

  it('are loaded for every command, whose summary is the one the usage lists', () => {
    expect(commands.map((command) => [command.name, command.summary])).toEqual(Object.entries(COMMANDS).map(([name, entry]) => [name, entry.summary]));
  });

  it.each(commands.map((command) => [command.name, command] as const))('%s: --help lists exactly the options it parses', (_name, command) => {
    const declared = Object.entries(command.options).map(([name, spec]): [string, string | undefined] => [name, spec.short]);
    expect(documentedOptions(command.usage).sort()).toEqual([...declared, ['help', 'h']].sort());
  });

  it.each(commands.map((command) => [command.name, command] as const))('%s: every fixed choice is named in --help', (_name, command) => {
    for (const spec of Object.values(command.options)) for (const choice of spec.choices ?? []) expect(command.usage).toContain(choice);
  });

  it.each(commands.filter((command) => 'config' in command.options).map((command) => [command.name, command] as const))(
    '%s: takes its configuration as -c, like every other command',
    (_name, command) => {
      expect((command.options as Record<string, { short?: string }>).config?.short).toBe('c');
    },
  );
});
