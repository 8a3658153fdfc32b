// The zsh completion script: _arguments for the top level, then for the command on the line, with
// each option's description, its value's name and what completes it (fixed words, files, directories).
// Works from fpath (as the autoloaded _policygate) and when sourced.
import { HELP_COMMAND, TOP_LEVEL_OPTIONS, type CompletedCommand, type CompletedOption } from './model.js';

/** A single-quoted zsh word. */
function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** Text inside an _arguments `[description]` or a _describe `name:description`. */
function escape(text: string): string {
  return text.replace(/[\\[\]:]/g, (character) => `\\${character}`);
}

function action(option: CompletedOption): string {
  if (option.value === undefined) return ' ';
  if ('choices' in option.value) return `(${option.value.choices.join(' ')})`;
  return option.value.path === 'directory' ? '_files -/' : '_files';
}

/** One _arguments spec per spelling: `(-c --config)--config=[description]:FILE:_files`. */
function specs(option: CompletedOption): string[] {
  const names = option.short === undefined ? [`--${option.long}`] : [`-${option.short}`, `--${option.long}`];
  const exclusive = option.multiple ? '*' : names.length > 1 ? `(${names.join(' ')})` : '';
  const help = option.long === 'help' ? '(- *)' : exclusive;
  return names.map((name) => {
    const suffix = !option.takesValue ? '' : name.startsWith('--') ? '=' : '+';
    const value = option.takesValue ? `:${escape(option.valueName)}:${action(option)}` : '';
    return quote(`${help}${name}${suffix}[${escape(option.description)}]${value}`);
  });
}

function operandSpec(command: CompletedCommand): string[] {
  if (command.operands === undefined) return [];
  if (command.operands === 'paths') return [quote('*:path:_files')];
  return [quote(`1:${command.name === 'completion' ? 'shell' : 'argument'}:(${command.operands.join(' ')})`)];
}

function commandCase(command: CompletedCommand): string {
  const lines = [...command.options.flatMap(specs), ...operandSpec(command)];
  return [`        ${command.name})`, `          _arguments -S \\`, ...lines.map((line, index) => `            ${line}${index < lines.length - 1 ? ' \\' : ''}`), '          ;;'].join('\n');
}

export function zshScript(commands: readonly CompletedCommand[], version: string): string {
  const listed = [...commands, HELP_COMMAND].map((command) => quote(`${escape(command.name)}:${escape(command.summary)}`));
  const topLevel = TOP_LEVEL_OPTIONS.flatMap((option) => [`-${option.short}`, `--${option.long}`].map((name) => quote(`(- *)${name}[${escape(option.description)}]`)));
  return `#compdef policygate
# zsh completion for policygate ${version}, made by \`policygate completion zsh\`.
#   every shell:  policygate completion zsh > ~/.zfunc/_policygate   (fpath=(~/.zfunc $fpath) before compinit)
#   this shell:   source <(policygate completion zsh)                 (after compinit)

_policygate() {
  local curcontext=$curcontext state state_descr line ret=1
  typeset -A opt_args
  _arguments -C \\
${topLevel.map((spec) => `    ${spec} \\`).join('\n')}
    '1:command:->command' \\
    '*::argument:->argument' && ret=0
  case $state in
    command)
      local -a commands=(
${listed.map((entry) => `        ${entry}`).join('\n')}
      )
      _describe -t commands 'policygate command' commands && ret=0
      ;;
    argument)
      curcontext=\${curcontext%:*:*}:policygate-$words[1]:
      case $words[1] in
${commands.map(commandCase).join('\n')}
      esac && ret=0
      ;;
  esac
  return ret
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _policygate "$@"
else
  compdef _policygate policygate
fi
`;
}
