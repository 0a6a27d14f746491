// Agent Skills format: YAML frontmatter (name, description, compatibility, metadata) then a Markdown body.
import { parse } from 'yaml';

export interface SkillFrontmatter {
  name: string;
  description: string;
  compatibility?: string;
  metadata?: Record<string, string>;
}

export type SkillCheck =
  | { ok: true; frontmatter: SkillFrontmatter; body: string }
  | { ok: false; problems: string[] };

/** The limits of the Agent Skills specification, which every supported agent enforces. */
export const NAME_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const NAME_MAX = 64;
export const DESCRIPTION_MAX = 1024;
export const COMPATIBILITY_MAX = 500;

/** Splits a SKILL.md into frontmatter and body; null when it does not open with a `---` block. */
export function splitSkillFile(text: string): { yaml: string; body: string } | null {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!m) return null;
  return { yaml: m[1] ?? '', body: m[2] ?? '' };
}

/** Parses and checks one SKILL.md against the spec; `folder` is the directory it lives in. */
export function checkSkillFile(text: string, folder: string): SkillCheck {
  const parts = splitSkillFile(text);
  if (!parts) return { ok: false, problems: ['no YAML frontmatter (the file must start with a --- block)'] };
  let data: unknown;
  try {
    data = parse(parts.yaml);
  } catch (err) {
    return { ok: false, problems: [`frontmatter is not valid YAML: ${err instanceof Error ? err.message : String(err)}`] };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, problems: ['frontmatter is not a YAML mapping'] };
  const fm = data as Record<string, unknown>;
  const problems: string[] = [];
  const name = fm.name;
  if (typeof name !== 'string') problems.push('name is missing');
  else {
    if (!NAME_RE.test(name) || name.length > NAME_MAX) problems.push(`name "${name}" must be 1-${NAME_MAX} lowercase letters, digits and single hyphens`);
    if (name !== folder) problems.push(`name "${name}" differs from its folder "${folder}"`);
  }
  const description = fm.description;
  if (typeof description !== 'string' || description.trim().length === 0) problems.push('description is missing or empty');
  else if (description.length > DESCRIPTION_MAX) problems.push(`description is ${description.length} characters (at most ${DESCRIPTION_MAX})`);
  const compatibility = fm.compatibility;
  if (compatibility !== undefined && (typeof compatibility !== 'string' || compatibility.length > COMPATIBILITY_MAX)) {
    problems.push(`compatibility must be a string of at most ${COMPATIBILITY_MAX} characters`);
  }
  const metadata = fm.metadata;
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)
    || Object.values(metadata).some((v) => typeof v !== 'string'))) {
    problems.push('metadata must map strings to strings');
  }
  if (parts.body.trim().length === 0) problems.push('the Markdown body is empty');
  if (problems.length > 0) return { ok: false, problems };
  const frontmatter: SkillFrontmatter = { name: name as string, description: description as string };
  if (typeof compatibility === 'string') frontmatter.compatibility = compatibility;
  if (metadata !== undefined) frontmatter.metadata = metadata as Record<string, string>;
  return { ok: true, frontmatter, body: parts.body };
}
