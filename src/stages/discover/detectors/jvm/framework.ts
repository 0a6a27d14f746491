// JVM frameworks (Spring Boot, Quarkus, Micronaut) and the runnable jar each build produces, found from the build files.
import { basename } from 'node:path';
import type { DetectContext, Detector, Evidence, Signal } from '../../types.js';
import { findDep, isJvmApp, jvmBuild, pomIndex, pomResolve, pomValue, pomVersion, prop, propEvidence, safeCite, type JvmBuild } from './common.js';

const NAME = 'jvm-framework';

export interface JvmFramework {
  value: 'spring-boot' | 'quarkus' | 'micronaut';
  evidence: Evidence[];
  /** The runnable jar, relative to the app dir, when the build files say enough to name it. */
  jar: { path: string; evidence: Evidence[] } | null;
  /** Quarkus: 'fast-jar' (quarkus-app/quarkus-run.jar) or 'uber-jar'. */
  packageType?: 'fast-jar' | 'uber-jar';
}

interface Coords { name: string; version: string | undefined; evidence: Evidence[]; dir: 'target' | 'build'; ext: 'jar' | 'war'; fileName?: string }

/** Maven: target/<finalName | artifactId-version>; Gradle: build/libs/<archivesName | rootProject.name | dir>[-version]. */
function coords(ctx: DetectContext, b: JvmBuild): Coords | null {
  if (b.pom) {
    const pom = b.pom;
    // <packaging>pom</packaging> builds no jar (an aggregator); war packaging makes a .war (executable for Spring Boot).
    const packaging = pomValue(pom, 'packaging');
    if (packaging === 'pom') return null;
    const ext = packaging === 'war' ? 'war' : 'jar';
    const finalRaw = pomValue(pom, 'build', 'finalName');
    const finalName = pomResolve(pom, finalRaw);
    if (finalName) return { name: finalName, version: undefined, dir: 'target', ext, evidence: [safeCite(pom.path, pom.text, Math.max(0, pomIndex(pom, 'finalName')))] };
    if (finalRaw) return null; // a finalName we cannot resolve: do not guess
    const artifact = pomValue(pom, 'artifactId');
    const version = pomResolve(pom, pomVersion(pom));
    if (!artifact || !version) return null;
    const ev: Evidence[] = [];
    const ai = pom.text.search(/<artifactId>/);
    const stripped = pom.text.replace(/<parent>[\s\S]*?<\/parent>/, (m) => m.replace(/[^\n]/g, ' '));
    const aIdx = stripped.search(new RegExp(`<artifactId>\\s*${artifact.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*</artifactId>`));
    ev.push(safeCite(pom.path, pom.text, aIdx >= 0 ? aIdx : Math.max(0, ai)));
    const vIdx = stripped.search(/<version>/);
    ev.push(safeCite(pom.path, pom.text, vIdx >= 0 ? vIdx : Math.max(0, pomIndex(pom, 'version'))));
    return { name: `${artifact}-${version}`, version: undefined, dir: 'target', ext, evidence: ev };
  }
  if (!b.gradle) return null;
  const g = b.gradle;
  const ev: Evidence[] = [];
  let name: string | undefined;
  const archives = /\b(?:archivesBaseName|archivesName(?:\.set)?)\s*[=(]\s*["']([^"'$]+)["']/.exec(g.text);
  if (archives?.[1]) { name = archives[1]; ev.push(safeCite(g.path, g.text, archives.index)); }
  const rp = b.settings ? /rootProject\.name\s*=\s*["']([^"'$]+)["']/.exec(b.settings.text) : null;
  if (!name && rp?.[1] && b.settings) { name = rp[1]; ev.push(safeCite(b.settings.path, b.settings.text, rp.index)); }
  if (!name) {
    name = basename(ctx.appDir === '' ? ctx.repo.root : ctx.appDir);
    ev.push({ file: g.path, line: null, text: `project directory name: ${name}` });
  }
  let version: string | undefined;
  const v = /^\s*version\s*=\s*["']([^"'$]+)["']/m.exec(g.text);
  if (v?.[1]) { version = v[1]; ev.push(safeCite(g.path, g.text, v.index + (v[0].length - v[0].trimStart().length))); }
  else {
    // gradle.properties (the app's, then the root's: it applies to every project), then allprojects/subprojects in the root build file.
    for (const f of [b.gradleProps, b.rootGradleProps]) {
      const pv = f ? /^\s*version\s*[=:]\s*(\S+)\s*$/m.exec(f.text) : null;
      if (f && pv?.[1]) { version = pv[1]; ev.push(safeCite(f.path, f.text, pv.index)); break; }
    }
    const root = b.rootGradle;
    const block = root ? /\b(?:allprojects|subprojects)\s*\{/.exec(root.text) : null;
    if (!version && root && block) {
      const rv = /^\s*version\s*=\s*["']([^"'$]+)["']/m;
      const m = rv.exec(root.text.slice(block.index));
      if (m?.[1]) { version = m[1]; const i = block.index + m.index; ev.push(safeCite(root.path, root.text, i + (m[0].length - m[0].trimStart().length))); }
    }
  }
  // bootJar { archiveFileName = "app.jar" } / archiveFileName.set("app.jar") names the boot jar outright.
  const fixed = /\barchiveFileName(?:\.set\(|\s*=\s*)\s*["']([^"'$]+\.jar)["']/.exec(g.text);
  if (fixed?.[1]) return { name, version, dir: 'build', ext: 'jar', fileName: fixed[1], evidence: [safeCite(g.path, g.text, fixed.index)] };
  return { name, version, dir: 'build', ext: 'jar', evidence: ev };
}

const gradleBase = (c: Coords): string => (c.version ? `${c.name}-${c.version}` : c.name);

export async function jvmFrameworks(ctx: DetectContext): Promise<JvmFramework[]> {
  const b = await jvmBuild(ctx);
  const out: JvmFramework[] = [];
  const c = coords(ctx, b);
  // Spring Boot: the starter parent, the Gradle plugin, or spring-boot-starter dependencies.
  const sbParent = b.pom && pomValue(b.pom, 'parent', 'artifactId') === 'spring-boot-starter-parent' ? b.pom : null;
  const sbEv: Evidence[] = [];
  if (sbParent) sbEv.push(safeCite(sbParent.path, sbParent.text, Math.max(0, pomIndex(sbParent, 'artifactId', 'spring-boot-starter-parent'))));
  const sbPlugin = b.plugins.get('org.springframework.boot');
  if (sbPlugin) sbEv.push(sbPlugin);
  const sbMvnPlugin = b.deps.find((d) => d.artifact === 'spring-boot-maven-plugin');
  if (sbEv.length === 0 && sbMvnPlugin) sbEv.push(sbMvnPlugin.evidence);
  const sbStarter = findDep(b, 'org.springframework.boot', /^spring-boot-starter/);
  if (sbEv.length === 0 && sbStarter) sbEv.push(sbStarter.evidence);
  if (sbEv.length > 0) {
    const jar = c ? { path: c.dir === 'target' ? `target/${c.name}.${c.ext}` : `build/libs/${c.fileName ?? `${gradleBase(c)}.jar`}`, evidence: c.evidence } : null;
    out.push({ value: 'spring-boot', evidence: sbEv, jar });
  }
  // Quarkus: the io.quarkus Gradle plugin or io.quarkus dependencies / quarkus-maven-plugin.
  const qEv = b.plugins.get('io.quarkus') ?? findDep(b, 'io.quarkus', /^quarkus-/)?.evidence ?? b.deps.find((d) => /quarkus/.test(d.group) && /quarkus/.test(d.artifact))?.evidence;
  if (qEv) {
    const type = prop(b, 'quarkus.package.jar.type') ?? prop(b, 'quarkus.package.type');
    const uber = type?.value === 'uber-jar';
    const dir = b.pom ? 'target' : 'build';
    let jar: JvmFramework['jar'];
    if (uber) jar = c && type ? { path: `${dir}/${c.dir === 'target' ? c.name : gradleBase(c)}-runner.jar`, evidence: [propEvidence(type), ...c.evidence] } : null;
    else jar = { path: `${dir}/quarkus-app/quarkus-run.jar`, evidence: type ? [propEvidence(type)] : [] };
    out.push({ value: 'quarkus', evidence: [qEv], jar, packageType: uber ? 'uber-jar' : 'fast-jar' });
  }
  // Micronaut: io.micronaut.application plugin, micronaut-parent, or io.micronaut dependencies.
  const mnEv = b.plugins.get('io.micronaut.application') ?? b.plugins.get('io.micronaut.minimal.application')
    ?? (b.pom && pomValue(b.pom, 'parent', 'artifactId') === 'micronaut-parent' ? safeCite(b.pom.path, b.pom.text, Math.max(0, pomIndex(b.pom, 'artifactId', 'micronaut-parent'))) : undefined)
    ?? findDep(b, 'io.micronaut.', /^micronaut-/)?.evidence ?? findDep(b, 'io.micronaut', /^micronaut-/)?.evidence;
  if (mnEv) {
    let jar: JvmFramework['jar'] = null;
    if (c?.dir === 'target') jar = { path: `target/${c.name}.jar`, evidence: c.evidence };
    else if (c && b.plugins.has('com.github.johnrengelman.shadow') || c && b.plugins.has('com.gradleup.shadow')) jar = { path: `build/libs/${gradleBase(c)}-all.jar`, evidence: c.evidence };
    out.push({ value: 'micronaut', evidence: [mnEv], jar });
  }
  return out;
}

/** Evidence without repeats (same file and line). */
export function uniq(ev: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return ev.filter((e) => { const k = `${e.file}:${e.line}`; if (seen.has(k)) return false; seen.add(k); return true; });
}

export const jvmFrameworkDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isJvmApp(ctx)) return [];
    const out: Signal[] = [];
    for (const f of await jvmFrameworks(ctx)) {
      const detail: Record<string, string> = {};
      // Quarkus names its output a layout (quarkus-app/ directory or an uber-jar); the others a jar.
      if (f.jar) detail[f.value === 'quarkus' ? 'layout' : 'jar'] = f.jar.path;
      if (f.packageType) detail['packageType'] = f.packageType;
      out.push({ kind: 'framework', value: f.value, detail, evidence: uniq([...f.evidence, ...(f.jar?.evidence ?? [])]), source: 'build-file', confidence: 'high', detector: NAME });
    }
    return out;
  },
};
