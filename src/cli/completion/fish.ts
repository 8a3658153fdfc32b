// The fish completion script: `complete` lines for the commands, then each command's options with
// their descriptions and values (fixed words, files, directories), and its operands.
import { HELP_COMMAND, TOP_LEVEL_OPTIONS, type CompletedCommand, type CompletedOption } from './model.js';

/** A single-quoted fish string. */
function quote(text: string): string {
  return `'${text.replace(/[\\']/g, (character) => `\\${character}`)}'`;
}

function names(option: CompletedOption): string {
  return `${option.short === undefined ? '' : `-s ${option.short} `}-l ${option.long}`;
}

/** -r: a value follows; -F files for it, -x nothing but the given words (or nothing, for free text). */
function value(option: CompletedOption): string {
  if (!option.takesValue) return '';
  if (option.value === undefined) return ' -x';
  if ('choices' in option.value) return ` -x -a ${quote(option.value.choices.join(' '))}`;
  return option.value.path === 'directory' ? ` -x -a '(__fish_complete_directories (commandline -ct))'` : ' -r -F';
}

function commandLines(command: CompletedCommand): string[] {
  const when = `-n ${quote(`__fish_seen_subcommand_from ${command.name}`)}`;
  const operands =
    command.operands === undefined ? [] : command.operands === 'paths' ? [`complete -c policygate ${when} -F`] : [`complete -c policygate ${when} -a ${quote(command.operands.join(' '))}`];
  return [
    `# policygate ${command.name}`,
    ...command.options.map((option) => `complete -c policygate ${when} ${names(option)}${value(option)} -d ${quote(option.description)}`),
    ...operands,
  ];
}

export function fishScript(commands: readonly CompletedCommand[], version: string): string {
  const top = "-n '__fish_use_subcommand'";
  return [
    `# fish completion for policygate ${version}, made by \`policygate completion fish\`.`,
    '#   every shell:  policygate completion fish > ~/.config/fish/completions/policygate.fish',
    '#   this shell:   policygate completion fish | source',
    '',
    '# No file names unless an option or a command takes them.',
    'complete -c policygate -f',
    ...TOP_LEVEL_OPTIONS.map((option) => `complete -c policygate ${top} ${names(option)} -d ${quote(option.description)}`),
    ...[...commands, HELP_COMMAND].map((command) => `complete -c policygate ${top} -a ${command.name} -d ${quote(command.summary)}`),
    ...commands.flatMap((command) => ['', ...commandLines(command)]),
    '',
  ].join('\n');
}
