// `policygate completion bash|zsh|fish`: a shell script that completes the commands, each command's
// options, and the values of options where they are fixed (formats, levels) or paths. It is made from
// the commands' own declared options, so it offers exactly what the parser accepts.
import { EXIT, InputError } from '../errors.js';
import type { Command, CommandIO, OptionSpecs } from './command.js';
import { loadCommands } from './commands.js';
import { bashScript } from './completion/bash.js';
import { fishScript } from './completion/fish.js';
import { completedCommand, type CompletedCommand } from './completion/model.js';
import { zshScript } from './completion/zsh.js';
import { parseCommandArgs } from './parse-args.js';
import { VERSION } from './version.js';

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript } satisfies Record<string, (commands: readonly CompletedCommand[], version: string) => string>;
const SHELLS = Object.keys(SCRIPTS) as (keyof typeof SCRIPTS)[];

const USAGE = `Usage: policygate completion SHELL

Print a completion script for SHELL (${SHELLS.join(', ')}): commands, options, and the values of
options with a fixed set (formats, levels) or a path. Write it once where the shell looks for it
(again after an upgrade):

  policygate completion bash > ~/.local/share/bash-completion/completions/policygate
  policygate completion zsh > ~/.zfunc/_policygate    # with fpath=(~/.zfunc $fpath) before compinit
  policygate completion fish > ~/.config/fish/completions/policygate.fish
  source <(policygate completion bash)                # bash, this shell only

Options:
  -h, --help   show this help
`;

const OPTIONS = {} satisfies OptionSpecs;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { positionals } = parseCommandArgs(argv, OPTIONS);
  const [shell, ...extra] = positionals;
  if (shell === undefined) throw new InputError(`name a shell: ${SHELLS.join(', ')} (see --help)`);
  if (extra.length > 0) throw new InputError(`one shell at a time (got ${positionals.join(', ')})`);
  if (!(SHELLS as string[]).includes(shell)) throw new InputError(`no completion for ${JSON.stringify(shell)}: the shells are ${SHELLS.join(', ')}`);
  const commands = (await loadCommands()).map(completedCommand);
  io.stdout.write(SCRIPTS[shell as keyof typeof SCRIPTS](commands, VERSION));
  return EXIT.ok;
}

export const completionCommand: Command = {
  name: 'completion',
  summary: 'print a shell completion script for bash, zsh or fish',
  usage: USAGE,
  options: OPTIONS,
  operands: SHELLS,
  run,
};
