// Database migrations a JVM service runs itself at startup: Flyway or Liquibase on the classpath (Quarkus only with migrate-at-start).
import type { Detector, Evidence, Signal } from '../../types.js';
import { findDep, isJvmApp, jvmBuild, prop, propEvidence, type Dep, type JvmBuild } from './common.js';

const NAME = 'jvm-migrate';

/**
 * Spring Boot runs Flyway/Liquibase at startup unless `spring.<tool>.enabled=false`; Quarkus only with
 * `quarkus.<tool>.migrate-at-start=true`. Evidence: the dependency, plus the property that decides.
 */
function runsAtStart(b: JvmBuild, tool: 'flyway' | 'liquibase', dep: Dep): Evidence[] | null {
  if (dep.group === 'io.quarkus') {
    const p = prop(b, `quarkus.${tool}.migrate-at-start`);
    return p?.value.trim() === 'true' ? [dep.evidence, propEvidence(p)] : null;
  }
  const off = prop(b, `spring.${tool}.enabled`);
  return off?.value.trim() === 'false' ? null : [dep.evidence];
}

export const jvmMigrateDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isJvmApp(ctx)) return [];
    const b = await jvmBuild(ctx);
    const out: Signal[] = [];
    const flyway = findDep(b, 'org.flywaydb', /^flyway-(?:core|database-|mysql)/) ?? findDep(b, 'io.quarkus', 'quarkus-flyway');
    const fe = flyway ? runsAtStart(b, 'flyway', flyway) : null;
    if (fe) out.push({ kind: 'command', role: 'migrate', command: 'flyway migrate (runs at application start)', production: true, evidence: fe, source: 'build-file', confidence: 'medium', detector: NAME });
    const liquibase = findDep(b, 'org.liquibase', 'liquibase-core') ?? findDep(b, 'io.quarkus', /^quarkus-liquibase/);
    const le = liquibase ? runsAtStart(b, 'liquibase', liquibase) : null;
    if (le) out.push({ kind: 'command', role: 'migrate', command: 'liquibase update (runs at application start)', production: true, evidence: le, source: 'build-file', confidence: 'medium', detector: NAME });
    return out;
  },
};
