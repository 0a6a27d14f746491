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
    const all = [...this.secrets, ...extra.filter((e) => e.length >= MIN_SECRET_LENGTH)];
    if (all.length === 0) return text;
    all.sort((a, b) => b.length - a.length);
    let out = text;
    for (const s of all) out = out.split(s).join(MASK);
    return out;
  }

  /** Deep-masks every string inside a JSON-like value. */
  maskDeep<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    return JSON.parse(this.mask(JSON.stringify(value))) as T;
  }
}
