// Splits a smoke-check condition (`[BODY].items | len > 0`) into tokens, each with its 1-based column.

export type TokenKind =
  | 'placeholder' // [STATUS] [BODY] [HEADER] [RESPONSE_TIME] (text = the name)
  | 'index' // [0] after a path (text = the digits)
  | 'key' // a path step after "." (text = the key)
  | 'dot'
  | 'number'
  | 'duration' // 300ms, 2s (value = milliseconds)
  | 'string'
  | 'regex'
  | 'op' // == != < <= > >=
  | 'word' // and or not contains matches len true false null
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The token as written (for strings: the decoded value; for regexes: the pattern). */
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
  /** Numbers and durations (milliseconds). */
  value?: number;
  /** Regex flags. */
  flags?: string;
}

/** A condition that cannot be read: `position` is the 1-based column, `expected` what would have fit there. */
export class ConditionSyntaxError extends Error {
  constructor(readonly position: number, readonly expected: string, readonly found: string) {
    super(`column ${position}: expected ${expected}, found ${found}`);
    this.name = 'ConditionSyntaxError';
  }
}

const WORDS = new Set(['and', 'or', 'not', 'contains', 'matches', 'len', 'true', 'false', 'null']);
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const KEY_CHAR = /[A-Za-z0-9_$@-]/;

/** How a token is named in an error ("end of condition", `"=="`). */
export function describeToken(t: Token): string {
  if (t.kind === 'eof') return 'the end of the condition';
  if (t.kind === 'string') return `string ${JSON.stringify(t.text)}`;
  if (t.kind === 'regex') return `regex /${t.text}/${t.flags ?? ''}`;
  if (t.kind === 'placeholder') return `[${t.text}]`;
  if (t.kind === 'index') return `[${t.text}]`;
  if (t.kind === 'dot') return '"."';
  return `"${t.text}"`;
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const at = (k: number): string => src[k] ?? '';
  const fail = (pos: number, expected: string, found?: string): never => {
    throw new ConditionSyntaxError(pos + 1, expected, found ?? (pos >= src.length ? 'the end of the condition' : JSON.stringify(at(pos))));
  };
  while (i < src.length) {
    const c = at(i);
    const start = i;
    const col = i + 1;
    if (/\s/.test(c)) { i++; continue; }
    const prev = out[out.length - 1];
    // After a dot comes a key, whatever it looks like: `.len`, `.content-type` and `.0` are keys, not words or numbers.
    if (prev?.kind === 'dot') {
      if (c === '"') {
        const s = readString(src, i, fail);
        out.push({ kind: 'key', text: s.value, column: col });
        i = s.end;
        continue;
      }
      let j = i;
      while (j < src.length && KEY_CHAR.test(at(j))) j++;
      if (j === i) fail(i, 'a key after "." (letters, digits, _ - $ @, or a "quoted key")');
      out.push({ kind: 'key', text: src.slice(i, j), column: col });
      i = j;
      continue;
    }
    if (c === '[') {
      const close = src.indexOf(']', i);
      if (close < 0) fail(i, 'a closing "]"', 'an unclosed "["');
      const inner = src.slice(i + 1, close);
      if (/^\d+$/.test(inner)) out.push({ kind: 'index', text: inner, column: col, value: Number(inner) });
      else if (/^[A-Za-z_]+$/.test(inner)) out.push({ kind: 'placeholder', text: inner, column: col });
      else fail(i, 'a placeholder ([STATUS], [BODY], [HEADER].name, [RESPONSE_TIME]) or an array index like [0]', JSON.stringify(src.slice(i, close + 1)));
      i = close + 1;
      continue;
    }
    if (c === '.') { out.push({ kind: 'dot', text: '.', column: col }); i++; continue; }
    if (c === '(') { out.push({ kind: 'lparen', text: '(', column: col }); i++; continue; }
    if (c === ')') { out.push({ kind: 'rparen', text: ')', column: col }); i++; continue; }
    if (c === '|') {
      if (at(i + 1) === '|') fail(i, 'a condition joined with "or" ("||" is not part of the language)', '"||"');
      out.push({ kind: 'pipe', text: '|', column: col }); i++; continue;
    }
    if (c === '&') fail(i, 'a condition joined with "and" ("&&" is not part of the language)', JSON.stringify(src.slice(i, i + 2)));
    if (c === '=' || c === '!' || c === '<' || c === '>') {
      const two = src.slice(i, i + 2);
      if (two === '==' || two === '!=' || two === '<=' || two === '>=') { out.push({ kind: 'op', text: two, column: col }); i += 2; continue; }
      if (c === '<' || c === '>') { out.push({ kind: 'op', text: c, column: col }); i++; continue; }
      if (c === '=') fail(i, 'an operator ("==" compares; a single "=" is not an operator)', '"="');
      fail(i, 'an operator ("!=" — use "not" to negate a condition)', '"!"');
    }
    if (c === '"' || c === "'") {
      const s = readString(src, i, fail);
      out.push({ kind: 'string', text: s.value, column: col });
      i = s.end;
      continue;
    }
    if (c === '/') {
      let j = i + 1;
      let pattern = '';
      let inClass = false;
      for (; j < src.length; j++) {
        const d = at(j);
        if (d === '\\') { pattern += d + at(j + 1); j++; continue; }
        if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        pattern += d;
      }
      if (j >= src.length) fail(start, 'a regex closed with "/"', 'an unclosed regex');
      j++;
      let flags = '';
      while (j < src.length && /[a-z]/i.test(at(j))) flags += at(j++);
      if (!/^[imsu]*$/.test(flags) || new Set(flags).size !== flags.length) fail(j - flags.length, 'regex flags among i, m, s, u (each once)', JSON.stringify(flags));
      try {
        new RegExp(pattern, flags);
      } catch (e) {
        fail(start, 'a valid regular expression', `/${pattern}/${flags} (${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')})`);
      }
      out.push({ kind: 'regex', text: pattern, column: col, flags });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(at(i + 1)))) {
      const m = /^-?\d+(?:\.\d+)?/.exec(src.slice(i));
      const num = m?.[0] ?? '';
      let j = i + num.length;
      let unit = '';
      while (j < src.length && /[A-Za-z]/.test(at(j))) unit += at(j++);
      if (unit === '') out.push({ kind: 'number', text: num, column: col, value: Number(num) });
      else if (unit in UNITS) out.push({ kind: 'duration', text: num + unit, column: col, value: Number(num) * (UNITS[unit] ?? 1) });
      else fail(i + num.length, 'a duration unit (ms, s, m) or a space after the number', JSON.stringify(unit));
      i = j;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z_0-9]/.test(at(j))) j++;
      const word = src.slice(i, j);
      const lower = word.toLowerCase();
      if (!WORDS.has(lower)) {
        const hint = /^[A-Z_]+$/.test(word) ? ` (placeholders are written in brackets: [${word}])` : ' (strings are quoted: "…")';
        fail(i, `a value, an operator or and/or/not${hint}`, JSON.stringify(word));
      }
      out.push({ kind: 'word', text: lower, column: col });
      i = j;
      continue;
    }
    fail(i, 'a value, an operator, "(" or ")"');
  }
  out.push({ kind: 'eof', text: '', column: src.length + 1 });
  return out;
}

function readString(src: string, i: number, fail: (pos: number, expected: string, found?: string) => never): { value: string; end: number } {
  const quote = src[i];
  let j = i + 1;
  let value = '';
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
  while (j < src.length && src[j] !== quote) {
    if (src[j] === '\\') {
      const e = src[j + 1] ?? '';
      const rep = escapes[e];
      if (rep === undefined) fail(j, 'an escape among \\n \\t \\r \\\\ \\" \\\'', JSON.stringify(`\\${e}`));
      value += rep;
      j += 2;
      continue;
    }
    value += src[j];
    j++;
  }
  if (j >= src.length) fail(i, `a string closed with ${quote}`, 'an unclosed string');
  return { value, end: j + 1 };
}
