// Recursive-descent parser for conditions: or → and → not → comparison | ( … ), with placeholders, paths and `| len`.
import { pathText, type Ast, type CompareOp, type Operand, type PathStep, type RefOperand } from './ast.js';
import { ConditionSyntaxError, describeToken, tokenize, type Token } from './tokenizer.js';

const OPERATORS = '==, !=, <, <=, >, >=, contains or matches';
const VALUE = 'a value ([STATUS], [BODY], [HEADER].name, [RESPONSE_TIME], a number, a duration like 300ms, a "string", /regex/, true, false or null)';

/** Parses a condition; throws ConditionSyntaxError naming the column and what was expected there. */
export function parseCondition(src: string): Ast {
  const p = new Parser(tokenize(src));
  if (p.peek().kind === 'eof') throw new ConditionSyntaxError(1, 'a condition such as [STATUS] == 200', 'an empty condition');
  const ast = p.or();
  const rest = p.peek();
  if (rest.kind !== 'eof') {
    const expected = rest.kind === 'rparen' ? 'the end of the condition (this ")" has no matching "(")' : '"and", "or" or the end of the condition';
    throw new ConditionSyntaxError(rest.column, expected, describeToken(rest));
  }
  return ast;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    // The tokenizer always ends with an eof token, so the last one is a safe fallback.
    return this.tokens[this.i] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private isWord(w: string): boolean {
    const t = this.peek();
    return t.kind === 'word' && t.text === w;
  }

  private fail(expected: string, t: Token = this.peek()): never {
    throw new ConditionSyntaxError(t.column, expected, describeToken(t));
  }

  or(): Ast {
    let left = this.and();
    while (this.isWord('or')) {
      this.next();
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Ast {
    let left = this.not();
    while (this.isWord('and')) {
      this.next();
      left = { type: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Ast {
    if (this.isWord('not')) {
      this.next();
      return { type: 'not', operand: this.not() };
    }
    if (this.peek().kind === 'lparen') {
      const open = this.next();
      if (this.peek().kind === 'rparen') this.fail('a condition inside "( )"');
      const inner = this.or();
      if (this.peek().kind !== 'rparen') this.fail(`")" to close the "(" at column ${open.column}, or "and" / "or"`);
      this.next();
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Ast {
    const left = this.operand();
    const t = this.peek();
    let op: CompareOp;
    if (t.kind === 'op') op = t.text as CompareOp;
    else if (t.kind === 'word' && (t.text === 'contains' || t.text === 'matches')) op = t.text;
    else return this.fail(`an operator (${OPERATORS})`);
    this.next();
    const right = this.operand();
    if (op === 'matches' && right.type === 'literal' && right.literal.kind !== 'regex' && right.literal.kind !== 'string') {
      throw new ConditionSyntaxError(right.column, 'a /regex/ (or a "string" pattern) after matches', right.text);
    }
    return { type: 'compare', op, left, right, column: t.column };
  }

  private operand(): Operand {
    const t = this.peek();
    switch (t.kind) {
      case 'placeholder': return this.ref();
      case 'number': this.next(); return { type: 'literal', literal: { kind: 'number', value: t.value ?? 0 }, text: t.text, column: t.column };
      case 'duration': this.next(); return { type: 'literal', literal: { kind: 'duration', ms: t.value ?? 0 }, text: t.text, column: t.column };
      case 'string': this.next(); return { type: 'literal', literal: { kind: 'string', value: t.text }, text: JSON.stringify(t.text), column: t.column };
      case 'regex': this.next(); return { type: 'literal', literal: { kind: 'regex', source: t.text, flags: t.flags ?? '' }, text: `/${t.text}/${t.flags ?? ''}`, column: t.column };
      case 'word':
        if (t.text === 'true' || t.text === 'false') { this.next(); return { type: 'literal', literal: { kind: 'boolean', value: t.text === 'true' }, text: t.text, column: t.column }; }
        if (t.text === 'null') { this.next(); return { type: 'literal', literal: { kind: 'null' }, text: 'null', column: t.column }; }
        return this.fail(VALUE);
      default: return this.fail(VALUE);
    }
  }

  private ref(): RefOperand {
    const t = this.next();
    const name = t.text.toUpperCase();
    let ref: RefOperand;
    if (name === 'STATUS' || name === 'RESPONSE_TIME') {
      ref = { type: 'ref', source: name === 'STATUS' ? 'status' : 'response_time', path: [], len: false, text: `[${name}]`, column: t.column };
      if (this.peek().kind === 'dot' || this.peek().kind === 'index') this.fail(`an operator: [${name}] has no fields`);
    } else if (name === 'HEADER') {
      if (this.peek().kind !== 'dot') this.fail('".name" after [HEADER] (e.g. [HEADER].content-type)');
      this.next();
      const key = this.next();
      const header = key.text.toLowerCase();
      ref = { type: 'ref', source: 'header', header, path: [], len: false, text: `[HEADER].${header}`, column: t.column };
      if (this.peek().kind === 'dot' || this.peek().kind === 'index') this.fail('an operator: a header value has no fields');
    } else if (name === 'BODY') {
      const path: PathStep[] = [];
      for (;;) {
        const s = this.peek();
        if (s.kind === 'dot') { this.next(); path.push({ key: this.next().text }); continue; }
        if (s.kind === 'index') { this.next(); path.push({ index: s.value ?? 0 }); continue; }
        if (s.kind === 'placeholder') this.fail('an array index like [0], a ".key" or an operator');
        break;
      }
      ref = { type: 'ref', source: 'body', path, len: false, text: `[BODY]${pathText(path)}`, column: t.column };
    } else {
      throw new ConditionSyntaxError(t.column, 'a placeholder: [STATUS], [BODY], [HEADER].name or [RESPONSE_TIME]', `[${t.text}]`);
    }
    if (this.peek().kind === 'pipe') {
      this.next();
      const fn = this.peek();
      if (!(fn.kind === 'word' && fn.text === 'len')) this.fail('"len" after "|" (the only function)');
      this.next();
      ref.len = true;
      ref.text += ' | len';
    }
    return ref;
  }
}
