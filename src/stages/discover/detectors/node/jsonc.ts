// JSON with comments and trailing commas (deno.jsonc, bun.lock, tsconfig-style files), parsed without a dependency.

/**
 * Blanks `//` and `/* *\/` comments and trailing commas with spaces, keeping every newline and every offset, so
 * a match in the result cites the same line and column in the original. Strings are copied untouched: a URL
 * such as "https://deno.land/x/oak" is not a comment.
 */
export function blankJsonc(text: string): string {
  const out = text.split('');
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      // Skip the string, escapes included; an unterminated string runs to the end (the parser reports it).
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') out[i++] = ' ';
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) if (text[i] !== '\n') out[i] = ' ';
      continue;
    }
    if (c === ',') {
      // A comma followed only by blanks, comments or a closing bracket is a trailing comma.
      let j = i + 1;
      for (;;) {
        while (j < text.length && /\s/.test(text[j] ?? '')) j++;
        if (text[j] === '/' && text[j + 1] === '/') { while (j < text.length && text[j] !== '\n') j++; continue; }
        if (text[j] === '/' && text[j + 1] === '*') { const e = text.indexOf('*/', j + 2); j = e < 0 ? text.length : e + 2; continue; }
        break;
      }
      if (text[j] === '}' || text[j] === ']') out[i] = ' ';
    }
    i++;
  }
  return out.join('');
}

export type JsoncResult = { ok: true; value: unknown; blanked: string } | { ok: false; message: string; line: number | null };

/** Parses JSONC; an error carries the 1-based line when the engine reports a position. */
export function parseJsonc(text: string): JsoncResult {
  const blanked = blankJsonc(text.replace(/^\uFEFF/, ' '));
  try {
    return { ok: true, value: JSON.parse(blanked) as unknown, blanked };
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message)?.[1];
    const line = /line (\d+)/.exec(message)?.[1];
    const at = pos !== undefined ? blanked.slice(0, Number(pos)).split('\n').length : line !== undefined ? Number(line) : null;
    return { ok: false, message, line: at };
  }
}
