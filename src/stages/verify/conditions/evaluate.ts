// Evaluates a parsed condition against one HTTP response: typed comparisons, no coercion, resolved values shown.
import { pathText, type Ast, type CompareOp, type Literal, type Operand, type RefOperand } from './ast.js';

/** What a condition can see of a response. */
export interface ConditionResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body as text; null when it is not valid UTF-8. */
  body: string | null;
  /** Bytes of body read (for messages about bodies that are not text). */
  bodyBytes: number;
  /** The body was cut at the read limit (JSON in it may be incomplete). */
  truncated?: boolean;
  responseTimeMs: number;
}

export interface ConditionResult {
  ok: boolean;
  /** The condition with each placeholder's resolved value, e.g. `[STATUS] (502) == 200`; masked. */
  shown: string;
  /** Set when the condition cannot be evaluated as written (a type error): a configuration problem, not the app's. */
  error?: string;
}

type Value =
  | { t: 'number'; v: number }
  | { t: 'duration'; ms: number }
  | { t: 'string'; v: string; header?: boolean }
  | { t: 'boolean'; v: boolean }
  | { t: 'null' }
  | { t: 'array'; v: unknown[] }
  | { t: 'object'; v: Record<string, unknown> }
  | { t: 'regex'; v: RegExp };

/** A placeholder's value, or why it has none: `missing` fails the condition, `error` is a mistake in the condition. */
type Resolved = { value: Value } | { missing: string } | { error: string };

/** Three-valued outcome: a missing value is neither true nor false, so `not` cannot turn it into a pass. */
type State = 'true' | 'false' | 'missing' | 'error';
interface Outcome { state: State; shown: string; error?: string }

const SHOWN_VALUE_MAX = 80;
const NUMERIC = /^-?\d+(?:\.\d+)?$/;

export function evaluateCondition(ast: Ast, response: ConditionResponse, mask: (s: string) => string = (s) => s): ConditionResult {
  const json = lazyJson(response);
  const r = evalNode(ast, response, json, mask);
  return { ok: r.state === 'true', shown: r.shown, ...(r.error === undefined ? {} : { error: r.error }) };
}

function evalNode(ast: Ast, res: ConditionResponse, json: () => JsonBody, mask: (s: string) => string): Outcome {
  if (ast.type === 'compare') return compare(ast.op, ast.left, ast.right, res, json, mask);
  if (ast.type === 'not') {
    const inner = evalNode(ast.operand, res, json, mask);
    const shown = `not ${ast.operand.type === 'and' || ast.operand.type === 'or' || ast.operand.type === 'not' ? `(${inner.shown})` : inner.shown}`;
    const state: State = inner.state === 'true' ? 'false' : inner.state === 'false' ? 'true' : inner.state;
    return { state, shown, ...(inner.error === undefined ? {} : { error: inner.error }) };
  }
  const l = evalNode(ast.left, res, json, mask);
  const r = evalNode(ast.right, res, json, mask);
  const wrap = (child: Ast, o: Outcome): string => (ast.type === 'and' && child.type === 'or' ? `(${o.shown})` : o.shown);
  const shown = `${wrap(ast.left, l)} ${ast.type} ${wrap(ast.right, r)}`;
  const states = [l.state, r.state];
  // A type error anywhere is surfaced even when the other side would decide: it is a broken check, not a result.
  const error = l.error ?? r.error;
  let state: State;
  if (states.includes('error')) state = 'error';
  else if (ast.type === 'and') state = states.includes('false') ? 'false' : states.includes('missing') ? 'missing' : 'true';
  else state = states.includes('true') ? 'true' : states.includes('missing') ? 'missing' : 'false';
  return { state, shown, ...(error === undefined ? {} : { error }) };
}

function compare(op: CompareOp, left: Operand, right: Operand, res: ConditionResponse, json: () => JsonBody, mask: (s: string) => string): Outcome {
  const l = resolve(left, res, json);
  const r = resolve(right, res, json);
  const shown = mask(`${showOperand(left, l)} ${op} ${showOperand(right, r)}`);
  if ('error' in l || 'error' in r) return { state: 'error', shown, error: mask(('error' in l ? l.error : '') || ('error' in r ? r.error : '')) };
  if ('missing' in l || 'missing' in r) return { state: 'missing', shown };
  const out = apply(op, l.value, r.value, left, right);
  if (typeof out === 'string') return { state: 'error', shown, error: mask(out) };
  return { state: out ? 'true' : 'false', shown };
}

/** true/false, or a message saying why the operator does not apply to these types. */
function apply(op: CompareOp, l: Value, r: Value, lo: Operand, ro: Operand): boolean | string {
  switch (op) {
    case '==':
    case '!=': {
      if (l.t === 'regex' || r.t === 'regex') return `a /regex/ goes with "matches", not "${op}"`;
      const eq = equal(l, r);
      return op === '==' ? eq : !eq;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const a = numeric(l, lo, op);
      if (typeof a === 'string') return a;
      const b = numeric(r, ro, op);
      if (typeof b === 'string') return b;
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
    case 'contains': {
      if (l.t === 'string') {
        if (r.t !== 'string') return `"contains" on text needs a "string" on the right, not ${describe(r, ro)}`;
        return l.v.includes(r.v);
      }
      if (l.t === 'array') {
        if (r.t === 'regex' || r.t === 'duration') return `"contains" on a list needs a plain value on the right, not ${describe(r, ro)}`;
        const want = plain(r);
        return l.v.some((x) => deepEqual(x, want));
      }
      if (l.t === 'object') {
        if (r.t !== 'string') return `"contains" on an object tests for a key and needs a "string" on the right, not ${describe(r, ro)}`;
        return Object.prototype.hasOwnProperty.call(l.v, r.v);
      }
      return `"contains" needs text, a list or an object on the left, not ${describe(l, lo)}`;
    }
    case 'matches': {
      if (l.t !== 'string') return `"matches" needs text on the left, not ${describe(l, lo)}`;
      let re: RegExp;
      if (r.t === 'regex') re = r.v;
      else if (r.t === 'string') {
        try {
          re = new RegExp(r.v);
        } catch (e) {
          return `invalid pattern ${JSON.stringify(r.v)}: ${(e as Error).message}`;
        }
      } else return `"matches" needs a /regex/ on the right, not ${describe(r, ro)}`;
      return re.test(l.v);
    }
  }
}

/** A number for an ordering operator; header values are text on the wire, so a numeric header counts as its number. */
function numeric(v: Value, o: Operand, op: string): number | string {
  if (v.t === 'number') return v.v;
  if (v.t === 'duration') return v.ms;
  if (v.t === 'string' && v.header && NUMERIC.test(v.v.trim())) return Number(v.v.trim());
  return `"${op}" needs numbers, but ${describe(v, o)}`;
}

function equal(l: Value, r: Value): boolean {
  const n = (v: Value): number | null => (v.t === 'number' ? v.v : v.t === 'duration' ? v.ms : v.t === 'string' && v.header && NUMERIC.test(v.v.trim()) ? Number(v.v.trim()) : null);
  // Numbers, durations and numeric header values compare by value; everything else must match in type exactly.
  const a = n(l);
  const b = n(r);
  if (a !== null && b !== null && (l.t !== 'string' || r.t !== 'string')) return a === b;
  if (l.t === 'string' && r.t === 'string') return l.v === r.v;
  if ((l.t === 'string') !== (r.t === 'string')) return false;
  return deepEqual(plain(l), plain(r));
}

function plain(v: Value): unknown {
  switch (v.t) {
    case 'null': return null;
    case 'duration': return v.ms;
    case 'regex': return v.v.source;
    default: return v.v;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

type JsonBody = { ok: true; value: unknown } | { ok: false; reason: string };

function lazyJson(res: ConditionResponse): () => JsonBody {
  let cached: JsonBody | undefined;
  return () => {
    if (cached) return cached;
    if (res.body === null) cached = { ok: false, reason: `body is not UTF-8 text (${res.bodyBytes} bytes)` };
    else {
      try {
        cached = { ok: true, value: JSON.parse(res.body) as unknown };
      } catch {
        cached = { ok: false, reason: res.truncated ? 'body is not JSON (it was cut at the read limit)' : res.body.trim() === '' ? 'body is empty, not JSON' : 'body is not JSON' };
      }
    }
    return cached;
  };
}

function resolve(o: Operand, res: ConditionResponse, json: () => JsonBody): Resolved {
  if (o.type === 'literal') return { value: literalValue(o.literal) };
  const base = resolveRef(o, res, json);
  if (!o.len || !('value' in base)) return base;
  const v = base.value;
  if (v.t === 'string') return { value: { t: 'number', v: [...v.v].length } };
  if (v.t === 'array') return { value: { t: 'number', v: v.v.length } };
  if (v.t === 'object') return { value: { t: 'number', v: Object.keys(v.v).length } };
  return { error: `"| len" needs text, a list or an object, but ${describe(v, { ...o, len: false, text: o.text.replace(/ \| len$/, '') })}` };
}

function resolveRef(o: RefOperand, res: ConditionResponse, json: () => JsonBody): Resolved {
  switch (o.source) {
    case 'status': return { value: { t: 'number', v: res.status } };
    case 'response_time': return { value: { t: 'duration', ms: Math.round(res.responseTimeMs) } };
    case 'header': {
      const h = res.headers[o.header ?? ''];
      return h === undefined ? { missing: `header ${o.header ?? ''} not present` } : { value: { t: 'string', v: h, header: true } };
    }
    case 'body': {
      if (o.path.length === 0) {
        return res.body === null ? { missing: `body is not UTF-8 text (${res.bodyBytes} bytes)` } : { value: { t: 'string', v: res.body } };
      }
      const doc = json();
      if (!doc.ok) return { missing: doc.reason };
      let cur: unknown = doc.value;
      for (let i = 0; i < o.path.length; i++) {
        const step = o.path[i];
        if (step === undefined) break;
        const upTo = pathText(o.path.slice(0, i + 1));
        const parent = pathText(o.path.slice(0, i)) || 'the body';
        if ('index' in step) {
          if (!Array.isArray(cur)) return { missing: `path ${upTo} not found (${parent} is ${kindOf(cur)}, not a list)` };
          if (step.index >= cur.length) return { missing: `path ${upTo} not found (${parent} has ${cur.length} item${cur.length === 1 ? '' : 's'})` };
          cur = cur[step.index];
        } else {
          if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return { missing: `path ${upTo} not found (${parent} is ${kindOf(cur)})` };
          if (!Object.prototype.hasOwnProperty.call(cur, step.key)) return { missing: `path ${upTo} not found` };
          cur = (cur as Record<string, unknown>)[step.key];
        }
      }
      return { value: jsonValue(cur) };
    }
  }
}

function jsonValue(v: unknown): Value {
  if (v === null) return { t: 'null' };
  if (typeof v === 'number') return { t: 'number', v };
  if (typeof v === 'string') return { t: 'string', v };
  if (typeof v === 'boolean') return { t: 'boolean', v };
  if (Array.isArray(v)) return { t: 'array', v };
  return { t: 'object', v: v as Record<string, unknown> };
}

function literalValue(l: Literal): Value {
  switch (l.kind) {
    case 'number': return { t: 'number', v: l.value };
    case 'duration': return { t: 'duration', ms: l.ms };
    case 'string': return { t: 'string', v: l.value };
    case 'regex': return { t: 'regex', v: new RegExp(l.source, l.flags) };
    case 'boolean': return { t: 'boolean', v: l.value };
    case 'null': return { t: 'null' };
  }
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  return typeof v === 'boolean' ? 'a boolean' : typeof v;
}

const typeName: Record<Value['t'], string> = { number: 'a number', duration: 'a duration', string: 'a string', boolean: 'a boolean', null: 'null', array: 'a list', object: 'an object', regex: 'a regex' };

/** "[BODY].status is a string ("ok")" / "the literal "ok" is a string". */
function describe(v: Value, o: Operand): string {
  if (o.type === 'literal') return `${o.text} (${typeName[v.t]})`;
  return v.t === 'null' ? `${o.text} is null` : `${o.text} is ${typeName[v.t]} (${render(v)})`;
}

function render(v: Value): string {
  switch (v.t) {
    case 'number': return String(v.v);
    case 'duration': return `${v.ms}ms`;
    case 'string': return cut(JSON.stringify(v.v));
    case 'boolean': return String(v.v);
    case 'null': return 'null';
    case 'regex': return String(v.v);
    default: return cut(JSON.stringify(v.v));
  }
}

function cut(s: string): string {
  return s.length > SHOWN_VALUE_MAX ? `${s.slice(0, SHOWN_VALUE_MAX - 1)}…` : s;
}

function showOperand(o: Operand, r: Resolved): string {
  if (o.type === 'literal') return o.text;
  if ('value' in r) return `${o.text} (${render(r.value)})`;
  return `${o.text} (${'missing' in r ? r.missing : 'error'})`;
}
