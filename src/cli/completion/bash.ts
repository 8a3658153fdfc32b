// The bash completion script: one function, _policygate, that finds the command on the line and
// offers its options, a value for the option before the cursor (fixed words, files or directories),
// or its operands. Plain bash (3.2 and on); bash-completion is not needed.
import { HELP_COMMAND, spellings, TOP_LEVEL_OPTIONS, type CompletedCommand, type CompletedOption } from './model.js';

/** A word list for compgen -W: our words are option names and fixed values, never quotes or spaces. */
function words(list: readonly string[]): string {
  return `'${list.join(' ')}'`;
}

function valueReply(option: CompletedOption): string {
  if (option.value === undefined) return 'return'; // free text: nothing to offer
  if ('choices' in option.value) return `_policygate_words ${words(option.value.choices)}; return`;
  return option.value.path === 'directory' ? '_policygate_directories; return' : '_policygate_files; return';
}

function commandCase(command: CompletedCommand): string {
  const valued = command.options.filter((option) => option.takesValue);
  const optionWords = words(command.options.flatMap(spellings));
  const operands =
    command.operands === undefined
      ? `_policygate_words ${optionWords}`
      : command.operands === 'paths'
        ? `if [[ $cur == -* ]]; then _policygate_words ${optionWords}; else _policygate_files; fi`
        : `if [[ $cur == -* ]]; then _policygate_words ${optionWords}; else _policygate_words ${words(command.operands)}; fi`;
  return [
    `    ${command.name})`,
    ...(valued.length > 0
      ? ['      case $prev in', ...valued.map((option) => `        ${spellings(option).join('|')}) ${valueReply(option)} ;;`), '      esac']
      : []),
    `      ${operands}`,
    '      ;;',
  ].join('\n');
}

export function bashScript(commands: readonly CompletedCommand[], version: string): string {
  const topLevel = [...TOP_LEVEL_OPTIONS.flatMap(spellings), ...commands.map((command) => command.name), HELP_COMMAND.name];
  return `# bash completion for policygate ${version}, made by \`policygate completion bash\`.
#   every shell:  policygate completion bash > ~/.local/share/bash-completion/completions/policygate
#   this shell:   source <(policygate completion bash)

# The replies for the word under the cursor ($cur, set by _policygate), prefixed when bash did not
# split --option=value at the "=" (COMP_WORDBREAKS without "=").
_policygate_words() {
  COMPREPLY=($(compgen -W "$1" -- "$cur"))
  COMPREPLY=("\${COMPREPLY[@]/#/$prefix}")
}
_policygate_files() {
  local IFS=$'\\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -f -- "$cur"))
  COMPREPLY=("\${COMPREPLY[@]/#/$prefix}")
}
_policygate_directories() {
  local IFS=$'\\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -d -- "$cur"))
  COMPREPLY=("\${COMPREPLY[@]/#/$prefix}")
}

_policygate() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev='' prefix='' command='' i
  COMPREPLY=()
  ((COMP_CWORD > 0)) && prev=\${COMP_WORDS[COMP_CWORD - 1]}
  # --option=value: bash splits it into "--option", "=", "value" unless COMP_WORDBREAKS lacks "=".
  if [[ $cur == --*=* ]]; then
    prev=\${cur%%=*} prefix=\${cur%%=*}= cur=\${cur#*=}
  elif [[ $cur == = ]]; then
    cur=''
  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
    prev=\${COMP_WORDS[COMP_CWORD - 2]}
  fi
  # The command is the first word that is not an option (the top level's options take no value).
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      -*) ;;
      *) command=\${COMP_WORDS[i]}; break ;;
    esac
  done
  case $command in
    '')
      _policygate_words ${words(topLevel)}
      ;;
${commands.map(commandCase).join('\n')}
  esac
}

complete -F _policygate policygate
`;
}
