// The smoke-check condition language: parse once, evaluate per response.
export type { Ast, CompareOp, Literal, Operand, PathStep } from './ast.js';
export { parseCondition } from './parser.js';
export { ConditionSyntaxError } from './tokenizer.js';
export { evaluateCondition, type ConditionResponse, type ConditionResult } from './evaluate.js';
