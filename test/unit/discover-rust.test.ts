// Rust discovery detectors: fixtures read through buildRepoIndex, edge cases through memoryRepo, and the resolved brief of each fixture.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { detectors } from '../../src/stages/discover/detectors/rust/index.js';
import { discover } from '../../src/stages/discover/index.js';
import { buildRepoIndex } from '../../src/stages/discover/repo.js';
import type { Signal } from '../../src/stages/discover/types.js';
import { memoryRepo } from '../helpers/memory-repo.js';
import { cmds, detectorRunner, envMap, FIXTURES, of } from '../helpers/signals.js';

const { run, fixture } = detectorRunner(detectors);
const mem = (files: Record<string, string>, appDir = ''): Promise<Signal[]> => run(memoryRepo(files), appDir);
const CARGO = (deps = '', extra = ''): string => `[package]\nname = "svc"\nversion = "0.1.0"\nedition = "2021"\n${extra}\n[dependencies]\n${deps}\n`;
const main = (body: string): string => `use std::env;\n\nfn main() {\n${body}\n}\n`;
const at = (s: { evidence: { file: string; line: number | null }[] } | undefined): [string | undefined, number | null | undefined] => [s?.evidence[0]?.file, s?.evidence[0]?.line];

describe('rust detectors: axum fixture', () => {
  it('ecosystem, language, cargo with Cargo.lock, fetch/build/start/test commands', async () => {
    const s = await fixture('rust-axum');
    assert.equal(of(s, 'ecosystem')[0]?.value, 'rust');
    assert.equal(of(s, 'language')[0]?.value, 'rust');
    const pm = of(s, 'package-manager');
    assert.deepEqual(pm.map((p) => [p.value, p.evidence.map((e) => e.file)]), [['cargo', ['Cargo.toml', 'Cargo.lock']]]);
    assert.deepEqual(cmds(s, 'install').map((c) => c.command), ['cargo fetch']);
    assert.deepEqual(cmds(s, 'build').map((c) => [c.command, c.production, c.confidence]), [['cargo build --release', true, 'high']]);
    const start = cmds(s, 'start');
    assert.deepEqual(start.map((c) => [c.command, c.production]), [['./target/release/orders-api', true]]);
    assert.deepEqual(at(start[0]), ['src/main.rs', null]);
    assert.deepEqual(cmds(s, 'test').map((c) => [c.command, c.production]), [['cargo test', false]]);
    assert.equal(of(s, 'problem').length, 0);
    assert.equal(of(s, 'risk').length, 0, 'sqlx without query macros, no native libraries');
  });

  it('runtime from rust-toolchain.toml and rust-version', async () => {
    const s = await fixture('rust-axum');
    assert.deepEqual(of(s, 'runtime').map((r) => [r.runtime, r.range, r.source, r.evidence[0]?.file, r.evidence[0]?.line, r.evidence[0]?.text]), [
      ['rust', '1.78', 'build-file', 'rust-toolchain.toml', 2, 'channel = "1.78"'],
      ['rust', '>=1.74', 'build-file', 'Cargo.toml', 5, 'rust-version = "1.74"'],
    ]);
  });

  it('axum framework, PORT default port (masked), /health, postgres via sqlx features, sqlx migrate', async () => {
    const s = await fixture('rust-axum');
    assert.deepEqual(of(s, 'framework').map((f) => [f.value, f.confidence, ...at(f)]), [['axum', 'high', 'Cargo.toml', 8]]);
    const ports = of(s, 'port');
    assert.deepEqual(ports.map((p) => [p.port, p.source, p.confidence, p.evidence.map((e) => `${e.file}:${e.line}`)]), [[3000, 'code', 'medium', ['src/config.rs:11', 'src/config.rs:12']]]);
    assert.ok(!ports.some((p) => p.evidence.some((e) => e.text?.includes('3000'))), 'the literal default is masked in evidence');
    assert.deepEqual(of(s, 'health').map((h) => [h.path, ...at(h), h.evidence[0]?.text]), [['/health', 'src/main.rs', 24, '.route("/health", get(health))']]);
    const ds = of(s, 'datastore');
    assert.deepEqual(ds.map((d) => [d.value, d.required, ...at(d)]), [['postgresql', null, 'Cargo.toml', 10]]);
    const mig = cmds(s, 'migrate');
    assert.deepEqual(mig.map((c) => [c.command, c.production, c.evidence.map((e) => `${e.file}:${e.line}`)]), [
      ['sqlx migrate run', true, ['migrations/20240301120000_create_orders.sql:null', 'Cargo.toml:10']],
    ]);
  });

  it('env: DATABASE_URL required (expect), PORT and RUST_LOG optional; #[cfg(test)] and comments ignored; values masked', async () => {
    const s = await fixture('rust-axum');
    assert.deepEqual(envMap(s), { DATABASE_URL: true, PORT: false, RUST_LOG: false });
    const env = of(s, 'env');
    const db = env.find((e) => e.name === 'DATABASE_URL');
    assert.deepEqual([...at(db), db?.evidence[0]?.text], ['src/config.rs', 10, 'let database_url = env::var("DATABASE_URL").expect("***");']);
    assert.deepEqual(at(env.find((e) => e.name === 'RUST_LOG')), ['src/main.rs', 13]);
    for (const x of s) assert.ok(x.evidence.length > 0 && x.evidence.every((e) => e.file !== ''), `${x.kind} has evidence`);
  });
});

describe('rust detectors: actix workspace fixture', () => {
  it('workspace member: Cargo.lock at the root, --bin for several bins, start from the workspace target/', async () => {
    const s = await run(await buildRepoIndex(`${FIXTURES}rust-actix`), 'crates/server');
    assert.deepEqual(of(s, 'package-manager').map((p) => p.evidence.map((e) => e.file)), [['crates/server/Cargo.toml', 'Cargo.lock']]);
    const build = cmds(s, 'build');
    assert.deepEqual(build.map((c) => [c.command, c.confidence]), [['cargo build --release --bin shop', 'high']]);
    assert.deepEqual(build[0]?.evidence.map((e) => `${e.file}:${e.line}`), ['crates/server/Cargo.toml:9', 'crates/server/Cargo.toml:6']);
    assert.deepEqual(cmds(s, 'start').map((c) => c.command), ['../../target/release/shop']);
    assert.deepEqual(of(s, 'runtime').map((r) => [r.range, ...at(r)]), [['1.77.2', 'rust-toolchain', 1], ['>=1.75', 'Cargo.toml', 7]]);
    const fw = of(s, 'framework');
    assert.deepEqual(fw.map((f) => [f.value, f.evidence.map((e) => `${e.file}:${e.line}`)]), [['actix', ['crates/server/Cargo.toml:13', 'Cargo.toml:10']]]);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.source, p.confidence, ...at(p)]), [[8080, 'code', 'high', 'crates/server/src/main.rs', 32]]);
    assert.deepEqual(of(s, 'health').map((h) => [h.path, ...at(h)]), [['/healthz', 'crates/server/src/main.rs', 16]]);
    // redis comes through the local shop-core crate, its features from [workspace.dependencies].
    assert.deepEqual(of(s, 'datastore').map((d) => [d.value, d.required, d.evidence.map((e) => `${e.file}:${e.line}`)]), [['redis', null, ['crates/core/Cargo.toml:7', 'Cargo.toml:11']]]);
    assert.deepEqual(envMap(s), { REDIS_URL: true, WORKERS: false, CART_TTL_SECS: false });
    assert.deepEqual(at(of(s, 'env').find((e) => e.name === 'REDIS_URL')), ['crates/server/src/main.rs', 8]);
    assert.deepEqual(at(of(s, 'env').find((e) => e.name === 'CART_TTL_SECS')), ['crates/core/src/lib.rs', 11]);
    assert.equal(cmds(s, 'migrate').length, 0);
    assert.equal(of(s, 'risk').length, 0, 'a path crate inside the workspace is no risk');
  });
});

describe('rust detectors: edge cases', () => {
  it('nothing for a directory without Cargo.toml', async () => {
    assert.deepEqual(await mem({ 'src/main.rs': main('    let _ = env::var("PORT").unwrap();') }), []);
  });

  it('an invalid Cargo.toml is a problem with its line; discovery goes on', async () => {
    const s = await mem({ 'Cargo.toml': '[package]\nname = "svc"\nversion = \n', 'src/main.rs': main('') });
    const p = of(s, 'problem');
    assert.equal(p.length, 1);
    assert.match(p[0]?.message ?? '', /^Cargo\.toml is not valid TOML: /);
    assert.deepEqual(at(p[0]), ['Cargo.toml', 3]);
    assert.deepEqual(of(s, 'ecosystem').map((e) => e.value), ['rust']);
    assert.equal(of(s, 'command').length, 0);
  });

  it('comments, #[cfg(test)] items, #[test] functions, test modules in their own file and tests/ are ignored', async () => {
    const s = await mem({
      'Cargo.toml': CARGO('axum = "0.7"'),
      'src/main.rs': [
        'use std::env;', '#[cfg(test)]', 'mod tests;', '', 'fn main() {',
        '    // let a = env::var("COMMENTED").unwrap();', '    /* outer /* nested */ env::var("BLOCK") */',
        '    let url = "http://example.com"; let b = env::var("REAL").unwrap();', '    let c = \'"\'; let d = env::var("AFTER_CHAR").ok();',
        '    let r = r#"env::var("IN_RAW")"#;', '}', '',
        '#[test]', 'fn t() { let _ = env::var("IN_TEST_FN").unwrap(); }',
        '#[cfg(test)]', 'mod inline { fn f() { let _ = std::env::var("IN_CFG_TEST"); } }',
      ].join('\n'),
      'src/tests.rs': 'fn f() { let _ = std::env::var("IN_TEST_FILE").unwrap(); }\n',
      'tests/api.rs': 'fn f() { let _ = std::env::var("IN_TESTS_DIR").unwrap(); }\n',
      'build.rs': 'fn main() { let _ = std::env::var("IN_BUILD_RS").unwrap(); }\n',
    });
    assert.deepEqual(envMap(s), { REAL: true, AFTER_CHAR: false });
  });

  it('env required rules: ?, context()?, unwrap, defaults, if let, match, var_os, dotenvy, env!/option_env!, Cargo-set names skipped', async () => {
    const s = await mem({
      'Cargo.toml': CARGO(),
      'src/main.rs': main([
        '    let a = env::var("Q_MARK")?;', '    let b = std::env::var("WITH_CONTEXT").context("JWT secret missing")?;',
        '    let c = env::var("UNWRAPPED").unwrap();', '    let d = env::var("DEFAULTED").unwrap_or_default();',
        '    let e = env::var("OR_ELSE").unwrap_or_else(|_| "s3cr3t-default".into());',
        '    if let Ok(v) = env::var("IF_LET") { println!("{v}"); }',
        '    let f = match env::var("MATCH_PANICS") { Ok(v) => v, Err(_) => panic!("missing") };',
        '    let g = match env::var("MATCH_DEFAULT") { Ok(v) => v, Err(_) => "x".to_string() };',
        '    let h = env::var_os("VAR_OS").is_some();', '    let i = dotenvy::var("DOTENVY_BARE");',
        '    let j = std::env::var("API_TOKEN").map(|t| t.trim().to_string()).expect("API_TOKEN");',
        '    let k = env!("BUILD_SHA"); let l = option_env!("BUILD_DATE"); let m = env!("CARGO_PKG_VERSION");',
      ].join('\n')),
    });
    assert.deepEqual(envMap(s), {
      Q_MARK: true, WITH_CONTEXT: true, UNWRAPPED: true, DEFAULTED: false, OR_ELSE: false, IF_LET: false, MATCH_PANICS: true,
      MATCH_DEFAULT: false, VAR_OS: false, DOTENVY_BARE: null, API_TOKEN: true, BUILD_SHA: true, BUILD_DATE: false,
    });
    const env = of(s, 'env');
    assert.deepEqual(env.filter((e) => e.buildTime).map((e) => e.name), ['BUILD_SHA', 'BUILD_DATE']);
    const json = JSON.stringify(s);
    for (const v of ['s3cr3t-default', 'JWT secret missing']) assert.ok(!json.includes(v), `value ${v} leaked`);
  });

  it('clap env args: Option and defaults are optional, plain fields required, bare env uses the field name', async () => {
    const s = await mem({
      'Cargo.toml': CARGO('clap = { version = "4", features = ["derive", "env"] }'),
      'src/main.rs': [
        'use clap::Parser;', '#[derive(Parser)]', 'struct Args {',
        '    #[arg(long, env = "DATABASE_URL")]', '    database_url: String,',
        '    #[clap(long, env = "SENTRY_DSN")]', '    sentry_dsn: Option<String>,',
        '    #[arg(long, env = "LISTEN_PORT", default_value = "9000")]', '    listen_port: u16,',
        '    #[arg(long, env)]', '    #[arg(short)]', '    region: String,',
        '    #[arg(long)]', '    no_env: String,', '}', 'fn main() {}',
      ].join('\n'),
    });
    assert.deepEqual(envMap(s), { DATABASE_URL: true, SENTRY_DSN: false, LISTEN_PORT: false, REGION: true });
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.confidence, ...at(p)]), [[9000, 'medium', 'src/main.rs', 8]]);
  });

  it('ports: SocketAddr tuples, bind literals, Ipv4Addr, parse, port constants; Rocket.toml and Rocket default', async () => {
    const s = await mem({
      'Cargo.toml': CARGO('warp = "0.3"'),
      'src/main.rs': main([
        '    let a = SocketAddr::from(([0, 0, 0, 0], 3001));', '    let b = tokio::net::TcpListener::bind("0.0.0.0:3002").await?;',
        '    warp::serve(routes).run(([127, 0, 0, 1], 3003)).await;', '    let c = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 3004);',
        '    let d: SocketAddr = "0.0.0.0:3005".parse().unwrap();', '    const PORT: u16 = 3006;',
        '    let e = env::var("HTTP_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3007);',
        '    let f = env::var("USERS").unwrap_or_else(|_| "3008".into());',
      ].join('\n')),
    });
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.evidence[0]?.line]), [[3001, 4], [3003, 6], [3004, 7], [3002, 5], [3005, 8], [3007, 10], [3006, 9]]);
    const rocket = await mem({
      'Cargo.toml': CARGO('rocket = "0.5"'), 'Rocket.toml': '[default]\naddress = "0.0.0.0"\nport = 8000\n\n[release]\nport = 8088\n',
      'src/main.rs': '#[macro_use] extern crate rocket;\n#[get("/ping")]\nfn ping() -> &\'static str { "pong" }\n#[launch]\nfn rocket() -> _ { rocket::build().mount("/", routes![ping]) }\n',
    });
    assert.deepEqual(of(rocket, 'framework').map((f) => f.value), ['rocket']);
    assert.deepEqual(of(rocket, 'port').map((p) => [p.port, p.source, ...at(p)]), [[8088, 'build-file', 'Rocket.toml', 6]]);
    assert.deepEqual(of(rocket, 'health').map((h) => [h.path, h.evidence[0]?.line]), [['/ping', 2]]);
    const bare = await mem({ 'Cargo.toml': CARGO('rocket = "0.5"'), 'src/main.rs': '#[launch]\nfn rocket() -> _ { rocket::build() }\n' });
    assert.deepEqual(of(bare, 'port').map((p) => [p.port, p.source, p.confidence]), [[8000, 'fallback', 'low']]);
  });

  it('health: axum, actix attributes and web::resource, warp path!, poem at(); non-health routes ignored', async () => {
    const s = await mem({
      'Cargo.toml': CARGO('actix-web = "4"\nwarp = "0.3"\npoem = "3"'),
      'src/main.rs': [
        'use warp::Filter;', '#[get("/users")]', 'async fn users() {}', '#[actix_web::get("/livez")]', 'async fn live() {}',
        'fn routes() {', '    App::new().service(web::resource("/ready").to(ready)).route("/orders", web::get().to(o));',
        '    let h = warp::path!("api" / "health").map(|| "ok");', '    let p = Route::new().at("/ping", get(ping));',
        '    // .route("/status", get(s))', '}',
      ].join('\n'),
    });
    assert.deepEqual(of(s, 'framework').map((f) => f.value), ['actix', 'warp', 'poem']);
    assert.deepEqual(of(s, 'health').map((h) => [h.path, h.evidence[0]?.line]), [['/livez', 4], ['/ready', 7], ['/api/health', 8], ['/ping', 9]]);
  });

  it('datastores from clients and database features; dev-dependencies ignored; renamed crates followed', async () => {
    const s = await mem({
      'Cargo.toml': CARGO([
        'diesel = { version = "2", features = ["mysql", "r2d2"] }', 'sea-orm = { version = "1", features = ["sqlx-sqlite"] }',
        'pg = { package = "tokio-postgres", version = "0.7" }', 'mongodb = "3"', 'lapin = "2"', 'rdkafka = { version = "0.36", features = ["dynamic-linking"] }',
        'elasticsearch = "8.5.0-alpha.1"', 'aws-sdk-s3 = "1"', 'lettre = "0.11"', '', '[dev-dependencies]', 'redis = "0.25"',
      ].join('\n')),
      'src/main.rs': main(''),
    });
    assert.deepEqual(of(s, 'datastore').map((d) => [d.value, d.confidence, d.evidence[0]?.line]), [
      ['mysql', 'high', 7], ['sqlite', 'high', 8], ['postgresql', 'high', 9], ['mongodb', 'high', 10], ['rabbitmq', 'high', 11],
      ['kafka', 'high', 12], ['elasticsearch', 'high', 13], ['s3', 'low', 14], ['smtp', 'medium', 15],
    ]);
    assert.deepEqual(of(s, 'risk').map((r) => r.message), ['native libraries needed to build: the MySQL client library (libmysqlclient-dev)']);
  });

  it('migrations: embedded sqlx migrations run at start; diesel with migrations/', async () => {
    const embedded = await mem({
      'Cargo.toml': CARGO('sqlx = { version = "0.7", features = ["postgres", "migrate"] }'),
      'migrations/0001_init.sql': 'CREATE TABLE t (id int);\n',
      'src/main.rs': main('    sqlx::migrate!("./migrations").run(&pool).await?;'),
    });
    assert.deepEqual(cmds(embedded, 'migrate').map((c) => [c.command, c.source, ...at(c)]), [['sqlx migrate run (runs at application start)', 'code', 'src/main.rs', 4]]);
    const diesel = await mem({
      'Cargo.toml': CARGO('diesel = { version = "2", features = ["postgres"] }'), 'diesel.toml': '[print_schema]\nfile = "src/schema.rs"\n',
      'migrations/2024-01-01-000000_init/up.sql': 'CREATE TABLE t (id int);\n', 'src/main.rs': main(''),
    });
    assert.deepEqual(cmds(diesel, 'migrate').map((c) => [c.command, c.source, c.evidence.map((e) => e.file)]), [
      ['diesel migration run', 'fallback', ['migrations/2024-01-01-000000_init/up.sql', 'diesel.toml', 'Cargo.toml']],
    ]);
    assert.deepEqual(of(diesel, 'risk').map((r) => [r.message, r.evidence[0]?.line]), [['native libraries needed to build: libpq (libpq-dev)', 7]]);
  });

  it('risks: sqlx query macros without offline data, a path crate outside the repo, a nightly toolchain', async () => {
    const files = {
      'Cargo.toml': CARGO('sqlx = { version = "0.7", features = ["postgres"] }\nshared = { path = "../shared" }'),
      'rust-toolchain.toml': '[toolchain]\nchannel = "nightly-2024-05-01"\n',
      'src/main.rs': main('    let n = sqlx::query!("SELECT 1 AS n").fetch_one(&pool).await?;'),
    };
    const s = await mem(files);
    assert.deepEqual(of(s, 'risk').map((r) => [r.message.split(':')[0], ...at(r)]), [
      ['a nightly Rust toolchain is pinned (nightly-2024-05-01)', 'rust-toolchain.toml', 2],
      ['Cargo.toml uses shared from ../shared, outside the app directory', 'Cargo.toml', 8],
      ['sqlx query macros check SQL against a database at compile time', 'src/main.rs', 4],
    ]);
    assert.equal(of(s, 'runtime').length, 0, 'a nightly channel is no version');
    const offline = await mem({ ...files, '.sqlx/query-abc.json': '{}' });
    assert.ok(!of(offline, 'risk').some((r) => r.message.startsWith('sqlx')));
  });

  it('several bins without default-run: the one named for the package, medium confidence; src/bin targets', async () => {
    const s = await mem({ 'Cargo.toml': CARGO(), 'src/main.rs': main(''), 'src/bin/migrate.rs': main(''), 'src/bin/admin/main.rs': main('') });
    assert.deepEqual(cmds(s, 'build').map((c) => [c.command, c.confidence]), [['cargo build --release --bin svc', 'medium']]);
    assert.deepEqual(cmds(s, 'start').map((c) => c.command), ['./target/release/svc']);
    const lib = await mem({ 'Cargo.toml': CARGO(), 'src/lib.rs': 'pub fn f() {}\n' });
    assert.equal(cmds(lib, 'start').length, 0, 'a library has no binary to start');
    assert.deepEqual(cmds(lib, 'test').map((c) => c.command), ['cargo test']);
  });

  it('invalid rust-toolchain.toml is a problem; legacy rust-toolchain and .tool-versions versions', async () => {
    const bad = await mem({ 'Cargo.toml': CARGO(), 'rust-toolchain.toml': '[toolchain\nchannel = "1.78"\n', 'src/main.rs': main('') });
    assert.deepEqual(of(bad, 'problem').map((p) => [p.message.split(':')[0], ...at(p)]), [['rust-toolchain.toml is not valid TOML', 'rust-toolchain.toml', 1]]);
    const ok = await mem({ 'Cargo.toml': CARGO('', 'rust-version = "1.70"'), '.tool-versions': 'nodejs 20.11.0\nrust 1.79.0\n', 'src/main.rs': main('') });
    assert.deepEqual(of(ok, 'runtime').map((r) => [r.range, ...at(r)]), [['>=1.70', 'Cargo.toml', 5], ['1.79.0', '.tool-versions', 2]]);
  });
});

describe('rust: resolved Deployment Brief', () => {
  const brief = (name: string) => discover({ executor: new RecordingExecutor(), redactor: new Redactor() }, `${FIXTURES}${name}`);

  it('axum app: stack, commands, port, health, env, datastores, systemd strategy', async () => {
    const b = await brief('rust-axum');
    const d = b.data;
    assert.equal(b.status, 'ok');
    assert.deepEqual([d.app, d.appDir], ['orders-api', '']);
    assert.equal(d.stack.ecosystem?.value, 'rust');
    assert.equal(d.stack.language?.value, 'rust');
    assert.equal(d.stack.packageManager?.value, 'cargo');
    assert.deepEqual([d.stack.runtime?.value, d.stack.runtime?.source, d.stack.runtime?.evidence[0]?.file], [{ runtime: 'rust', range: '1.78' }, 'build-file', 'rust-toolchain.toml']);
    assert.deepEqual(d.runtimes, [{ name: 'rust', range: '1.78' }]);
    assert.deepEqual(d.stack.frameworks.map((f) => f.value.name), ['axum']);
    assert.equal(d.commands.build?.value.command, 'cargo build --release');
    assert.deepEqual(d.commands.start?.value, { command: './target/release/orders-api', production: true });
    assert.equal(d.commands.migrate?.value.command, 'sqlx migrate run');
    assert.deepEqual([d.port?.value, d.port?.source], [3000, 'code']);
    assert.deepEqual(d.health.map((h) => h.value), ['/health']);
    assert.deepEqual(d.envVars.filter((e) => e.required === true).map((e) => e.name), ['DATABASE_URL']);
    assert.deepEqual(d.envVars.filter((e) => e.required !== true).map((e) => [e.name, e.required]), [['PORT', false], ['RUST_LOG', false]]);
    assert.deepEqual(d.datastores.map((x) => [x.kind, x.required]), [['postgresql', null]]);
    assert.equal(d.strategy, 'systemd');
    assert.deepEqual(d.conflicts, []);
    assert.deepEqual(d.problems, []);
  });

  it('actix workspace: the bin member is the app; start from the workspace target/', async () => {
    const b = await brief('rust-actix');
    const d = b.data;
    assert.equal(b.status, 'ok');
    assert.deepEqual(d.apps.map((a) => [a.dir, a.name, a.ecosystem]), [['crates/server', 'shop-server', 'rust']]);
    assert.deepEqual([d.app, d.appDir], ['shop-server', 'crates/server']);
    assert.deepEqual([d.stack.ecosystem?.value, d.stack.language?.value, d.stack.packageManager?.value], ['rust', 'rust', 'cargo']);
    assert.deepEqual([d.stack.runtime?.value.range, d.stack.runtime?.source, d.stack.runtime?.evidence[0]?.file], ['1.77.2', 'build-file', 'rust-toolchain']);
    assert.deepEqual(d.stack.frameworks.map((f) => f.value.name), ['actix']);
    assert.equal(d.commands.build?.value.command, 'cargo build --release --bin shop');
    assert.deepEqual(d.commands.start?.value, { command: '../../target/release/shop', production: true });
    assert.equal(d.commands.migrate, null);
    assert.deepEqual([d.port?.value, d.port?.source], [8080, 'code']);
    assert.deepEqual(d.health.map((h) => h.value), ['/healthz']);
    assert.deepEqual(d.envVars.map((e) => [e.name, e.required]), [['REDIS_URL', true], ['CART_TTL_SECS', false], ['WORKERS', false]]);
    assert.deepEqual(d.datastores.map((x) => [x.kind, x.required]), [['redis', null]]);
    assert.equal(d.strategy, 'systemd');
    assert.deepEqual(d.conflicts, []);
  });
});
