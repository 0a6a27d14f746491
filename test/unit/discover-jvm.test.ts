// JVM discovery detectors: Maven/Spring and Gradle/Quarkus fixtures through buildRepoIndex, edge cases through memoryRepo.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectors } from '../../src/stages/discover/detectors/jvm/index.js';
import type { Signal } from '../../src/stages/discover/types.js';
import { memoryRepo } from '../helpers/memory-repo.js';
import { cmds, detectorRunner, envMap, of } from '../helpers/signals.js';

const { run, fixture } = detectorRunner(detectors);
const at = (e: { file: string; line: number | null } | undefined): [string | undefined, number | null | undefined] => [e?.file, e?.line];
const allText = (s: Signal[]): string => JSON.stringify(s);

describe('jvm detectors: spring boot + maven fixture', () => {
  it('finds ecosystem, java, maven with the wrapper and its package command', async () => {
    const s = await fixture('jvm-spring-maven');
    assert.deepEqual(of(s, 'ecosystem').map((x) => x.value), ['jvm']);
    assert.deepEqual(of(s, 'language').map((x) => x.value), ['java']);
    const pm = of(s, 'package-manager');
    assert.deepEqual(pm.map((x) => x.value), ['maven']);
    assert.ok(pm[0]?.evidence.some((e) => e.file === 'mvnw'));
    assert.deepEqual(cmds(s, 'build').map((c) => c.command), ['./mvnw -B -DskipTests package']);
    assert.equal(of(s, 'problem').length, 0);
  });

  it('reads java.version as the runtime', async () => {
    const rt = of(await fixture('jvm-spring-maven'), 'runtime');
    assert.equal(rt.length, 1);
    assert.deepEqual([rt[0]?.runtime, rt[0]?.range, rt[0]?.source], ['java', '>=21', 'build-file']);
    assert.deepEqual(at(rt[0]?.evidence[0]), ['pom.xml', 13]);
  });

  it('names the Spring Boot jar from artifactId and version and starts it with a heap cap', async () => {
    const s = await fixture('jvm-spring-maven');
    const fw = of(s, 'framework');
    assert.deepEqual(fw.map((f) => f.value), ['spring-boot']);
    assert.equal(fw[0]?.detail?.['jar'], 'target/orders-1.2.0.jar');
    assert.deepEqual(at(fw[0]?.evidence[0]), ['pom.xml', 6]);
    assert.ok(fw[0]?.evidence.some((e) => e.file === 'pom.xml' && e.line === 10), 'cites the artifactId');
    assert.ok(fw[0]?.evidence.some((e) => e.file === 'pom.xml' && e.line === 11), 'cites the version');
    const start = cmds(s, 'start');
    assert.equal(start.length, 1);
    assert.equal(start[0]?.command, 'java -Xmx512m -jar target/orders-1.2.0.jar');
    assert.equal(start[0]?.production, true);
    assert.match(start[0]?.command ?? '', /-Xmx\d+[mg]/);
  });

  it('port from ${PORT:8081}, actuator and controller health', async () => {
    const s = await fixture('jvm-spring-maven');
    const ports = of(s, 'port');
    assert.deepEqual(ports.map((p) => [p.port, p.source, p.confidence]), [[8081, 'code', 'high']]);
    assert.deepEqual(at(ports[0]?.evidence[0]), ['src/main/resources/application.yml', 2]);
    const h = of(s, 'health');
    assert.deepEqual(h.map((x) => [x.path, x.source, x.confidence]), [['/actuator/health', 'build-file', 'medium'], ['/api/status', 'code', 'high']]);
    assert.deepEqual(at(h[0]?.evidence[0]), ['pom.xml', 22]);
    assert.deepEqual(at(h[1]?.evidence[0]), ['src/main/java/com/example/orders/StatusController.java', 14]);
  });

  it('env names with required flags, never their defaults', async () => {
    const s = await fixture('jvm-spring-maven');
    assert.deepEqual(envMap(s), {
      PORT: false, DATABASE_URL: true, DB_USER: false, DB_PASSWORD: true, PAYMENTS_API_TOKEN: null, ORDERS_REGION: false,
    });
    const db = of(s, 'env').find((e) => e.name === 'DATABASE_URL');
    assert.deepEqual(at(db?.evidence[0]), ['src/main/resources/application.yml', 7]);
    const text = allText(s);
    assert.doesNotMatch(text, /8081}/, 'the PORT default is masked in evidence');
    assert.doesNotMatch(text, /eu-west-1/);
    assert.doesNotMatch(text, /DB_USER:orders/);
  });

  it('postgresql from the driver (h2 in test scope ignored) and flyway as a start-time migration', async () => {
    const s = await fixture('jvm-spring-maven');
    const ds = of(s, 'datastore');
    assert.deepEqual(ds.map((d) => [d.value, d.source, d.required]), [['postgresql', 'build-file', null]]);
    assert.deepEqual(at(ds[0]?.evidence[0]), ['pom.xml', 30]);
    const mig = cmds(s, 'migrate');
    assert.equal(mig.length, 1);
    assert.deepEqual([mig[0]?.command, mig[0]?.production, mig[0]?.confidence], ['flyway migrate (runs at application start)', true, 'medium']);
    assert.deepEqual(at(mig[0]?.evidence[0]), ['pom.xml', 35]);
  });

  it('every signal carries evidence', async () => {
    for (const name of ['jvm-spring-maven', 'jvm-quarkus-gradle']) {
      for (const sig of await fixture(name)) assert.ok(sig.evidence.length > 0, `${name}: ${sig.kind} without evidence`);
    }
  });
});

describe('jvm detectors: quarkus + gradle fixture', () => {
  it('gradle with the wrapper, toolchain 17 and .sdkmanrc 21', async () => {
    const s = await fixture('jvm-quarkus-gradle');
    assert.deepEqual(of(s, 'package-manager').map((x) => x.value), ['gradle']);
    assert.deepEqual(cmds(s, 'build').map((c) => c.command), ['./gradlew build -x test']);
    assert.deepEqual(of(s, 'language').map((x) => x.value), ['java']);
    const rt = of(s, 'runtime');
    assert.deepEqual(rt.map((r) => [r.range, r.evidence[0]?.file, r.evidence[0]?.line]), [['>=17', 'build.gradle.kts', 30], ['21', '.sdkmanrc', 2]]);
  });

  it('quarkus fast-jar layout and its start command', async () => {
    const s = await fixture('jvm-quarkus-gradle');
    const fw = of(s, 'framework');
    assert.deepEqual(fw.map((f) => f.value), ['quarkus']);
    assert.equal(fw[0]?.detail?.['layout'], 'build/quarkus-app/quarkus-run.jar');
    assert.equal(fw[0]?.detail?.['packageType'], 'fast-jar');
    assert.deepEqual(at(fw[0]?.evidence[0]), ['build.gradle.kts', 3]);
    assert.deepEqual(cmds(s, 'start').map((c) => [c.command, c.production]), [['java -Xmx512m -jar build/quarkus-app/quarkus-run.jar', true]]);
  });

  it('quarkus.http.port, /q/health and a JAX-RS ping under the class @Path', async () => {
    const s = await fixture('jvm-quarkus-gradle');
    const ports = of(s, 'port');
    assert.deepEqual(ports.map((p) => [p.port, p.source]), [[8085, 'code']]);
    assert.deepEqual(at(ports[0]?.evidence[0]), ['src/main/resources/application.properties', 1]);
    const h = of(s, 'health');
    assert.deepEqual(h.map((x) => x.path), ['/q/health', '/stock/ping']);
    assert.deepEqual(at(h[0]?.evidence[0]), ['build.gradle.kts', 17]);
  });

  it('env (dev profile dropped), postgresql by driver, db-kind and URL scheme, liquibase at start; test deps ignored', async () => {
    const s = await fixture('jvm-quarkus-gradle');
    assert.deepEqual(envMap(s), { DB_USER: false, DB_PASSWORD: true, STOCK_FEED_KEY: null, WAREHOUSE_ID: false });
    const ds = of(s, 'datastore');
    assert.deepEqual(ds.map((d) => d.value), ['postgresql'], 'redis is test-only');
    assert.deepEqual(ds[0]?.evidence.map((e) => [e.file, e.line]), [['build.gradle.kts', 18], ['src/main/resources/application.properties', 2], ['src/main/resources/application.properties', 3]]);
    assert.equal(ds[0]?.evidence[2]?.text, 'quarkus.datasource.jdbc.url=jdbc:postgresql:…');
    const text = allText(s);
    assert.doesNotMatch(text, /db\.internal/);
    assert.doesNotMatch(text, /"main"/);
    assert.doesNotMatch(text, /DB_USER:inventory/);
    assert.deepEqual(cmds(s, 'migrate').map((c) => c.command), ['liquibase update (runs at application start)']);
  });
});

describe('jvm detectors: edge cases', () => {
  it('ignores directories without a JVM build file', async () => {
    assert.deepEqual(await run(memoryRepo({ 'package.json': '{}', 'src/main/java/A.java': 'class A {}' })), []);
  });

  it('an invalid pom.xml yields a problem with its line and a regex fallback', async () => {
    const pom = [
      '<project>',
      '  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.2.0</version></parent>',
      '  <artifactId>billing</artifactId>',
      '  <version>2.0.1</version>',
      '  <properties><maven.compiler.release>17</maven.compiler.release></properties>',
      '  <dependencies>',
      '    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-data-redis</artifactId></dependency>',
      '  </dependencies>',
      '  <broken>',
      '</project>',
    ].join('\n');
    const s = await run(memoryRepo({ 'svc/pom.xml': pom }), 'svc');
    const p = of(s, 'problem');
    assert.equal(p.length, 1);
    assert.equal(p[0]?.evidence[0]?.file, 'svc/pom.xml');
    assert.equal(typeof p[0]?.evidence[0]?.line, 'number');
    assert.deepEqual(cmds(s, 'build').map((c) => c.command), ['mvn -B -DskipTests package']);
    assert.deepEqual(of(s, 'runtime').map((r) => [r.range, r.evidence[0]?.line]), [['>=17', 5]]);
    assert.equal(of(s, 'framework')[0]?.detail?.['jar'], 'target/billing-2.0.1.jar');
    assert.deepEqual(of(s, 'datastore').map((d) => [d.value, d.evidence[0]?.line]), [['redis', 7]]);
    assert.deepEqual(of(s, 'port').map((x) => [x.port, x.source, x.confidence]), [[8080, 'fallback', 'low']]);
  });

  it('maven finalName wins; an unresolvable version gives no jar and no start command', async () => {
    const base = (extra: string, version: string): string => `<project><parent><artifactId>spring-boot-starter-parent</artifactId><version>3.3.0</version></parent>
<artifactId>api</artifactId>
<version>${version}</version>
<build>${extra}</build>
</project>`;
    const s1 = await run(memoryRepo({ 'pom.xml': base('<finalName>app</finalName>', '1.0') }));
    assert.deepEqual(cmds(s1, 'start').map((c) => c.command), ['java -Xmx512m -jar target/app.jar']);
    const s2 = await run(memoryRepo({ 'pom.xml': base('', '${revision}') }));
    assert.equal(of(s2, 'framework')[0]?.value, 'spring-boot');
    assert.equal(of(s2, 'framework')[0]?.detail?.['jar'], undefined);
    assert.equal(cmds(s2, 'start').length, 0);
  });

  it('gradle spring boot: rootProject.name + version name the boot jar, bootJar builds it, kotlin detected', async () => {
    const s = await run(memoryRepo({
      'build.gradle.kts': [
        'plugins {',
        '  id("org.springframework.boot") version "3.3.0"',
        '  kotlin("jvm") version "2.0.0"',
        '}',
        'version = "0.9.0"',
        'java { sourceCompatibility = JavaVersion.VERSION_17 }',
        'dependencies {',
        '  implementation("org.springframework.boot:spring-boot-starter-actuator")',
        '  implementation("org.springframework.kafka:spring-kafka")',
        '  runtimeOnly("com.mysql:mysql-connector-j")',
        '  implementation("org.flywaydb:flyway-mysql")',
        '}',
      ].join('\n'),
      'settings.gradle.kts': 'rootProject.name = "ledger"\n',
      'src/main/kotlin/Ledger.kt': 'fun main() {}\n',
      'src/main/resources/application.properties': 'server.port=9090\nmanagement.endpoints.web.base-path=/manage\nspring.flyway.enabled=false\nspring.datasource.url=jdbc:mysql://user:pw@db/ledger\n',
      '.tool-versions': 'nodejs 20.1.0\njava temurin-21.0.2+13.0.LTS\n',
    }));
    assert.deepEqual(of(s, 'language').map((l) => l.value), ['kotlin']);
    assert.deepEqual(cmds(s, 'build').map((c) => c.command), ['gradle bootJar']);
    assert.equal(of(s, 'framework')[0]?.detail?.['jar'], 'build/libs/ledger-0.9.0.jar');
    assert.deepEqual(cmds(s, 'start').map((c) => c.command), ['java -Xmx512m -jar build/libs/ledger-0.9.0.jar']);
    assert.deepEqual(of(s, 'runtime').map((r) => [r.range, r.evidence[0]?.file, r.evidence[0]?.line]), [['>=17', 'build.gradle.kts', 6], ['21', '.tool-versions', 2]]);
    assert.deepEqual(of(s, 'port').map((p) => p.port), [9090]);
    assert.deepEqual(of(s, 'health').map((h) => h.path), ['/manage/health']);
    assert.deepEqual(of(s, 'datastore').map((d) => d.value).sort(), ['kafka', 'mysql']);
    assert.equal(cmds(s, 'migrate').length, 0, 'spring.flyway.enabled=false');
    assert.doesNotMatch(allText(s), /user:pw|db\/ledger/);
  });

  it('gradle toolchain via .set, quoted sourceCompatibility, .sdkmanrc, no settings → dir name', async () => {
    const a = await run(memoryRepo({ 'svc/build.gradle': "plugins { id 'java' }\njava { toolchain { languageVersion.set(JavaLanguageVersion.of(21)) } }\n" }), 'svc');
    assert.deepEqual(of(a, 'runtime').map((r) => r.range), ['>=21']);
    assert.equal(of(a, 'framework').length, 0);
    assert.equal(cmds(a, 'start').length, 0, 'no framework, no runnable jar claimed');
    const b = await run(memoryRepo({
      'build.gradle': "sourceCompatibility = '11'\ndependencies {\n  implementation group: 'org.apache.kafka', name: 'kafka-clients', version: '3.7.0'\n}\n",
      '.sdkmanrc': 'java=17.0.9-tem\n',
    }));
    assert.deepEqual(of(b, 'runtime').map((r) => r.range), ['>=11', '17']);
    assert.deepEqual(of(b, 'datastore').map((d) => [d.value, d.evidence[0]?.line]), [['kafka', 3]], 'map-notation dependency');
    const c = await run(memoryRepo({ 'apps/pay/build.gradle': "plugins { id 'org.springframework.boot' version '3.3.0' }\n" }), 'apps/pay');
    assert.equal(of(c, 'framework')[0]?.detail?.['jar'], 'build/libs/pay.jar');
    const d = await run(memoryRepo({
      'build.gradle': "subprojects {\n  group = 'com.example'\n  version = '4.2.0'\n}\n",
      'apps/pay/build.gradle': "plugins { id 'org.springframework.boot' version '3.3.0' }\n",
    }), 'apps/pay');
    const fw = of(d, 'framework')[0];
    assert.equal(fw?.detail?.['jar'], 'build/libs/pay-4.2.0.jar', 'version shared from the root build');
    assert.ok(fw?.evidence.some((e) => e.file === 'build.gradle' && e.line === 3));
  });

  it('quarkus uber-jar on maven, @RequestMapping prefix + method mapping, System.getenv required null', async () => {
    const s = await run(memoryRepo({
      'pom.xml': '<project><artifactId>shop</artifactId><version>3.1.0</version><dependencies><dependency><groupId>io.quarkus</groupId><artifactId>quarkus-rest</artifactId></dependency></dependencies></project>',
      'src/main/resources/application.properties': 'quarkus.package.jar.type=uber-jar\n',
      'src/main/java/Api.java': '@RestController\n@RequestMapping("/internal")\npublic class Api {\n  @GetMapping(value = "/healthz")\n  String h() { return System.getenv("SHOP_MODE"); }\n  @RequestMapping(path = "/other")\n  String o() { return ""; }\n}\n@RestController\nclass Second {\n  @GetMapping("/ping")\n  String p() { return "pong"; }\n}\n',
    }));
    const fw = of(s, 'framework')[0];
    assert.equal(fw?.detail?.['packageType'], 'uber-jar');
    assert.equal(fw?.detail?.['layout'], 'target/shop-3.1.0-runner.jar');
    assert.equal(fw?.detail?.['jar'], undefined);
    assert.deepEqual(cmds(s, 'start').map((c) => c.command), ['java -Xmx512m -jar target/shop-3.1.0-runner.jar']);
    assert.deepEqual(of(s, 'health').map((h) => [h.path, h.evidence[0]?.line]), [['/internal/healthz', 4], ['/ping', 11]]);
    assert.deepEqual(envMap(s), { SHOP_MODE: null });
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.source]), [[8080, 'fallback']]);
  });

  it('micronaut (gradle shadow), ${PORT} without a default → fallback port and PORT required, getOrDefault masked', async () => {
    const s = await run(memoryRepo({
      'build.gradle': "plugins {\n  id 'io.micronaut.application' version '4.4.0'\n  id 'com.gradleup.shadow' version '8.3.0'\n}\nversion = '0.1'\ndependencies {\n  implementation 'io.micronaut:micronaut-management'\n  implementation 'org.mongodb:mongodb-driver-sync:5.1.0'\n}\n",
      'settings.gradle': "rootProject.name = 'notes'\n",
      'src/main/resources/application.yml': 'micronaut:\n  server:\n    port: ${PORT}\n',
      'src/main/java/N.java': 'class N { String u = System.getenv().getOrDefault("NOTES_SECRET", "s3cr3t-value"); }\n',
    }));
    const fw = of(s, 'framework');
    assert.deepEqual(fw.map((f) => [f.value, f.detail?.['jar']]), [['micronaut', 'build/libs/notes-0.1-all.jar']]);
    assert.deepEqual(cmds(s, 'build').map((c) => c.command), ['gradle build -x test']);
    assert.deepEqual(cmds(s, 'start').map((c) => c.command), ['java -Xmx512m -jar build/libs/notes-0.1-all.jar']);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.source, p.confidence]), [[8080, 'fallback', 'low']]);
    assert.deepEqual(envMap(s), { PORT: true, NOTES_SECRET: false });
    assert.deepEqual(of(s, 'health').map((h) => h.path), ['/health']);
    assert.deepEqual(of(s, 'datastore').map((d) => d.value), ['mongodb']);
    assert.doesNotMatch(allText(s), /s3cr3t/);
  });

  it('war and pom packaging, gradle archiveFileName, servlet context path prefixes health', async () => {
    const pom = (packaging: string): string => `<project><parent><artifactId>spring-boot-starter-parent</artifactId><version>3.3.0</version></parent>
<artifactId>web</artifactId><version>1.0</version><packaging>${packaging}</packaging>
<dependencies><dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-actuator</artifactId></dependency></dependencies></project>`;
    const war = await run(memoryRepo({ 'pom.xml': pom('war'), 'src/main/resources/application.properties': 'server.servlet.context-path=/shop/\n' }));
    assert.deepEqual(cmds(war, 'start').map((c) => c.command), ['java -Xmx512m -jar target/web-1.0.war']);
    const h = of(war, 'health');
    assert.deepEqual(h.map((x) => x.path), ['/shop/actuator/health']);
    assert.ok(h[0]?.evidence.some((e) => e.file === 'src/main/resources/application.properties' && e.line === 1));
    const agg = await run(memoryRepo({ 'pom.xml': pom('pom') }));
    assert.equal(cmds(agg, 'start').length, 0, 'an aggregator pom builds no jar');
    const g = await run(memoryRepo({ 'build.gradle': "plugins { id 'org.springframework.boot' version '3.3.0' }\nversion = '2.0'\ntasks.named('bootJar') { archiveFileName = 'app.jar' }\n", 'gradlew': '#!/bin/sh\n' }));
    assert.deepEqual(cmds(g, 'build').map((c) => c.command), ['./gradlew bootJar']);
    assert.deepEqual(cmds(g, 'start').map((c) => [c.command, c.evidence.some((e) => e.line === 3)]), [['java -Xmx512m -jar build/libs/app.jar', true]]);
  });

  it('gradle version catalog: libs.* dependencies and alias(libs.plugins.*) plugins', async () => {
    const s = await run(memoryRepo({
      'build.gradle.kts': [
        'plugins {',
        '  alias(libs.plugins.spring.boot)',
        '}',
        'dependencies {',
        '  implementation(libs.spring.boot.starter.actuator)',
        '  runtimeOnly(libs.postgresql)',
        '  testImplementation(libs.redis)',
        '}',
      ].join('\n'),
      'settings.gradle.kts': 'rootProject.name = "cat"\n',
      'gradle/libs.versions.toml': [
        '[versions]', 'boot = "3.3.0"', '[libraries]',
        'spring-boot-starter-actuator = { module = "org.springframework.boot:spring-boot-starter-actuator" }',
        'postgresql = { group = "org.postgresql", name = "postgresql", version = "42.7.3" }',
        'redis = "redis.clients:jedis:5.1.0"',
        '[plugins]', 'spring-boot = { id = "org.springframework.boot", version.ref = "boot" }',
      ].join('\n'),
    }));
    const fw = of(s, 'framework')[0];
    assert.deepEqual([fw?.value, fw?.detail?.['jar'], fw?.evidence[0]?.line], ['spring-boot', 'build/libs/cat.jar', 2]);
    assert.deepEqual(of(s, 'health').map((h) => [h.path, h.evidence[0]?.line]), [['/actuator/health', 5]]);
    assert.deepEqual(of(s, 'datastore').map((d) => [d.value, d.evidence[0]?.line]), [['postgresql', 6]]);
  });
});
