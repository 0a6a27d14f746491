// JVM ecosystem, language (java/kotlin), build tool (maven/gradle, wrapper-aware) and its package command; reports an invalid pom.xml.
import { inApp } from '../../evidence.js';
import type { Detector, Evidence, Signal } from '../../types.js';
import { isJvmApp, jvmBuild } from './common.js';
import { jvmFrameworks } from './framework.js';

const NAME = 'jvm-ecosystem';

export const jvmEcosystemDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isJvmApp(ctx)) return [];
    const b = await jvmBuild(ctx);
    const out: Signal[] = [];
    const base = { source: 'build-file' as const, detector: NAME };
    if (b.pom?.error) out.push({ kind: 'problem', message: b.pom.error.message, evidence: [{ file: b.pom.path, line: b.pom.error.line }], ...base, confidence: 'high' });
    const buildFile = b.pom?.path ?? b.gradle?.path;
    if (!buildFile) return out;
    const marker: Evidence[] = [{ file: buildFile, line: null }];
    out.push({ kind: 'ecosystem', value: 'jvm', evidence: marker, ...base, confidence: 'high' });

    // Language: the Kotlin plugin (Gradle or Maven) or Kotlin sources make it kotlin; otherwise java.
    const ktPlugin = b.plugins.get('org.jetbrains.kotlin.jvm') ?? b.plugins.get('org.jetbrains.kotlin.plugin.spring') ?? b.deps.find((d) => d.artifact === 'kotlin-maven-plugin')?.evidence;
    const ktSource = b.sources.find((s) => s.path.endsWith('.kt'));
    const javaSource = b.sources.find((s) => s.path.endsWith('.java'));
    if (ktPlugin || ktSource) {
      const ev = [ktPlugin, ktSource ? { file: ktSource.path, line: null } : undefined].filter((e): e is Evidence => e !== undefined);
      out.push({ kind: 'language', value: 'kotlin', evidence: ev, ...base, confidence: 'high' });
    }
    if (javaSource || !(ktPlugin || ktSource)) {
      out.push({ kind: 'language', value: 'java', evidence: [javaSource ? { file: javaSource.path, line: null } : { file: buildFile, line: null }], ...base, confidence: javaSource ? 'high' : 'medium' });
    }

    const springBoot = (await jvmFrameworks(ctx)).some((f) => f.value === 'spring-boot');
    if (b.pom) {
      const wrapper = inApp(ctx.appDir, 'mvnw');
      const has = ctx.repo.has(wrapper);
      const ev: Evidence[] = has ? [{ file: b.pom.path, line: null }, { file: wrapper, line: null }] : marker;
      out.push({ kind: 'package-manager', value: 'maven', evidence: ev, ...base, confidence: 'high' });
      out.push({ kind: 'command', role: 'build', command: `${has ? './mvnw' : 'mvn'} -B -DskipTests package`, production: true, evidence: ev, ...base, confidence: 'high' });
    } else if (b.gradle) {
      const wrapper = inApp(ctx.appDir, 'gradlew');
      const has = ctx.repo.has(wrapper);
      const ev: Evidence[] = has ? [{ file: b.gradle.path, line: null }, { file: wrapper, line: null }] : [{ file: b.gradle.path, line: null }];
      out.push({ kind: 'package-manager', value: 'gradle', evidence: ev, ...base, confidence: 'high' });
      const task = springBoot ? 'bootJar' : 'build -x test';
      out.push({ kind: 'command', role: 'build', command: `${has ? './gradlew' : 'gradle'} ${task}`, production: true, evidence: ev, ...base, confidence: 'high' });
    }
    return out;
  },
};
