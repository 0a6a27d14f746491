// The parsed form of a condition: comparisons of placeholders and literals, joined by and / or / not.

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'matches';

/** One step of a JSON path: `.key` or `[index]`. */
export type PathStep = { key: string } | { index: number };

export type Literal =
  | { kind: 'number'; value: number }
  | { kind: 'duration'; ms: number }
  | { kind: 'string'; value: string }
  | { kind: 'regex'; source: string; flags: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

/** A value read from the response: `[STATUS]`, `[BODY].a[0]`, `[HEADER].name`, `[RESPONSE_TIME]`, optionally `| len`. */
export interface RefOperand {
  type: 'ref';
  source: 'status' | 'body' | 'header' | 'response_time';
  /** Lower-cased header name, for `[HEADER]`. */
  header?: string;
  path: PathStep[];
  len: boolean;
  /** The operand as written (normalised), used when showing resolved values. */
  text: string;
  column: number;
}

export interface LiteralOperand {
  type: 'literal';
  literal: Literal;
  text: string;
  column: number;
}

export type Operand = RefOperand | LiteralOperand;

export type Ast =
  | { type: 'and' | 'or'; left: Ast; right: Ast }
  | { type: 'not'; operand: Ast }
  | { type: 'compare'; op: CompareOp; left: Operand; right: Operand; column: number };

/** `.a.b[0]."odd key"` */
export function pathText(path: readonly PathStep[]): string {
  return path.map((s) => ('index' in s ? `[${s.index}]` : /^[A-Za-z0-9_$@-]+$/.test(s.key) ? `.${s.key}` : `.${JSON.stringify(s.key)}`)).join('');
}
