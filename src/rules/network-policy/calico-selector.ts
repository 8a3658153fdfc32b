// Calico selector expressions as predicates
// (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors):
//   all()  global()  has(k)  !has(k)  k == 'v'  k != 'v'  k in {'a', 'b'}  k not in {...}
//   k contains 's'  k starts with 's'  k ends with 's'  !expr  expr && expr  expr || expr  (expr)
// `k != 'v'` and `not in` match a missing label, as `!` of `==` and `in` do. The substring tests are
// not decided (unknown: they restrict), and neither is anything that does not parse (Calico's API
// server refuses it). `global()` matches only non-namespaced endpoints: no pod.
import type { KeyMapping } from './label-selector.js';
import { and, FALSE, not, or, TRUE, UNKNOWN, type Predicate } from './predicate.js';

type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string } | { kind: 'symbol'; text: string };

const SYMBOLS = ['&&', '||', '==', '!=', '!', '(', ')', '{', '}', ','];
const WORD = /[A-Za-z0-9_./\-:]/;

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at] as string;
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, at + 1);
      if (end === -1) return undefined;
      tokens.push({ kind: 'string', text: text.slice(at + 1, end) });
      at = end + 1;
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => text.startsWith(candidate, at));
    if (symbol) {
      tokens.push({ kind: 'symbol', text: symbol });
      at += symbol.length;
      continue;
    }
    if (!WORD.test(char)) return undefined;
    let end = at;
    while (end < text.length && WORD.test(text[end] as string)) end++;
    tokens.push({ kind: 'word', text: text.slice(at, end) });
    at = end;
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly mapping: KeyMapping,
  ) {}

  parse(): Predicate {
    const result = this.or();
    if (this.at !== this.tokens.length) throw new Error('trailing input');
    return result;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }

  private take(kind: Token['kind'], text?: string): string {
    const token = this.tokens[this.at];
    if (!token || token.kind !== kind || (text !== undefined && token.text !== text)) throw new Error(`expected ${text ?? kind}`);
    this.at++;
    return token.text;
  }

  private accept(kind: Token['kind'], text: string): boolean {
    const token = this.peek();
    if (token?.kind === kind && token.text === text) {
      this.at++;
      return true;
    }
    return false;
  }

  private or(): Predicate {
    const operands = [this.and()];
    while (this.accept('symbol', '||')) operands.push(this.and());
    return or(...operands);
  }

  private and(): Predicate {
    const operands = [this.unary()];
    while (this.accept('symbol', '&&')) operands.push(this.unary());
    return and(...operands);
  }

  private unary(): Predicate {
    if (this.accept('symbol', '!')) return not(this.unary());
    if (this.accept('symbol', '(')) {
      const inner = this.or();
      this.take('symbol', ')');
      return inner;
    }
    return this.primary();
  }

  private call(name: string): boolean {
    const token = this.peek();
    const next = this.peek(1);
    if (token?.kind === 'word' && token.text === name && next?.kind === 'symbol' && next.text === '(') {
      this.at += 2;
      return true;
    }
    return false;
  }

  private primary(): Predicate {
    if (this.call('all')) {
      this.take('symbol', ')');
      return TRUE;
    }
    if (this.call('global')) {
      this.take('symbol', ')');
      return FALSE;
    }
    if (this.call('has')) {
      const key = this.take('word');
      this.take('symbol', ')');
      const variable = this.mapping(key);
      return variable === undefined ? UNKNOWN : { op: 'has', variable, label: key };
    }
    const key = this.take('word');
    const variable = this.mapping(key);
    const equal = (values: string[]): Predicate => (variable === undefined ? UNKNOWN : { op: 'in', variable, values, label: key });
    if (this.accept('symbol', '==')) return equal([this.take('string')]);
    if (this.accept('symbol', '!=')) return not(equal([this.take('string')]));
    if (this.accept('word', 'in')) return equal(this.set());
    if (this.accept('word', 'not')) {
      this.take('word', 'in');
      return not(equal(this.set()));
    }
    if (this.accept('word', 'contains')) {
      this.take('string');
      return UNKNOWN;
    }
    if (this.accept('word', 'starts') || this.accept('word', 'ends')) {
      this.take('word', 'with');
      this.take('string');
      return UNKNOWN;
    }
    throw new Error(`unexpected ${this.peek()?.text ?? 'end'}`);
  }

  private set(): string[] {
    this.take('symbol', '{');
    const values: string[] = [];
    if (this.accept('symbol', '}')) return values;
    do values.push(this.take('string'));
    while (this.accept('symbol', ','));
    this.take('symbol', '}');
    return values;
  }
}

/** A Calico selector as a predicate; empty means `all()`. What does not parse is unknown. */
export function calicoSelectorPredicate(text: string, mapping: KeyMapping): Predicate {
  if (text.trim() === '') return TRUE;
  const tokens = tokenize(text);
  if (!tokens) return UNKNOWN;
  try {
    return new Parser(tokens, mapping).parse();
  } catch {
    return UNKNOWN;
  }
}
