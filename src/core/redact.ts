// Secret masking: every registered value is replaced in every string that leaves deckhand.

export const MASK = '***';
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers values to mask. Values shorter than 4 characters are refused: masking them would shred output. */
  add(...values: readonly (string | undefined)[]): void {
    for (const v of values) {
      if (v === undefined) continue;
      const trimmed = v.trim();
      if (trimmed.length >= MIN_SECRET_LENGTH) this.secrets.add(trimmed);
      if (v.length >= MIN_SECRET_LENGTH) this.secrets.add(v);
    }
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Masks every registered value (longest first, so a secret containing another is masked whole). */
  mask(text: string, extra: readonly string[] = []): string {
    // Also the form a secret takes inside a shell-quoted word (command lines are shown quoted): ' becomes '\''.
    const all = [...this.secrets, ...extra.filter((e) => e.length >= MIN_SECRET_LENGTH)]
      .flatMap((s) => (s.includes("'") ? [s, s.replace(/'/g, `'\\''`)] : [s]));
    if (all.length === 0) return text;
    all.sort((a, b) => b.length - a.length);
    let out = text;
    for (const s of all) out = out.split(s).join(MASK);
    return out;
  }

  /**
   * Deep-masks every string (values and keys) inside a JSON-like value. Each string is masked on its own:
   * masking the serialized JSON missed secrets JSON escapes (" \\ newlines) and broke on secrets like "1234".
   */
  maskDeep<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.mask(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.mask(k), walk(x)]));
      return v;
    };
    return walk(JSON.parse(JSON.stringify(value))) as T;
  }
}
