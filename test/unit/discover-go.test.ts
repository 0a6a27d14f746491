// Go discovery detectors: fixtures read through buildRepoIndex, edge cases through memoryRepo.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectors } from '../../src/stages/discover/detectors/go/index.js';
import type { Signal } from '../../src/stages/discover/types.js';
import { memoryRepo } from '../helpers/memory-repo.js';
import { cmds, detectorRunner, envMap, of } from '../helpers/signals.js';

const { run, fixture } = detectorRunner(detectors);
const mem = (files: Record<string, string>, appDir = ''): Promise<Signal[]> => run(memoryRepo(files), appDir);
const GOMOD = (req = ''): string => `module example.com/svc\n\ngo 1.22\n${req ? `\nrequire (\n${req}\n)\n` : ''}`;
const main = (body: string, imports = '"net/http"\n\t"os"\n\t"log"'): string => `package main\n\nimport (\n\t${imports}\n)\n\nfunc main() {\n${body}\n}\n`;

describe('go detectors: gin fixture', () => {
  it('ecosystem, package manager, install/build/start for cmd/api', async () => {
    const s = await fixture('go-gin');
    assert.equal(of(s, 'ecosystem')[0]?.value, 'go');
    assert.equal(of(s, 'language')[0]?.value, 'go');
    assert.equal(of(s, 'package-manager')[0]?.value, 'go modules');
    assert.equal(of(s, 'package-manager')[0]?.version, undefined, 'the go directive is the runtime, not a package-manager version');
    assert.deepEqual(cmds(s, 'install').map((c) => c.command), ['go mod download']);
    const build = cmds(s, 'build');
    assert.deepEqual(build.map((c) => c.command), ['go build -o bin/api ./cmd/api']);
    assert.deepEqual([build[0]?.evidence[0]?.file, build[0]?.evidence[0]?.line], ['cmd/api/main.go', 12]);
    const start = cmds(s, 'start');
    assert.deepEqual(start.map((c) => [c.command, c.production]), [['./bin/api', true]]);
    assert.equal(of(s, 'risk').length, 0, 'no CGO');
  });

  it('runtime from go and toolchain directives', async () => {
    const s = await fixture('go-gin');
    const rt = of(s, 'runtime');
    assert.deepEqual(rt.map((r) => [r.runtime, r.range, r.source, r.evidence[0]?.file, r.evidence[0]?.line]), [
      ['go', '>=1.22', 'build-file', 'go.mod', 3], ['go', '1.22.3', 'build-file', 'go.mod', 5],
    ]);
  });

  it('gin framework, PORT fallback port, /healthz, postgres via pgx (indirect mysql ignored)', async () => {
    const s = await fixture('go-gin');
    const fw = of(s, 'framework');
    assert.deepEqual(fw.map((f) => [f.value, f.evidence[0]?.file, f.evidence[0]?.line]), [['gin', 'go.mod', 8]]);
    const ports = of(s, 'port');
    assert.deepEqual(ports.map((p) => [p.port, p.source, p.evidence.map((e) => e.line)]), [[8080, 'code', [13, 15]]]);
    assert.equal(ports[0]?.evidence[0]?.file, 'cmd/api/main.go');
    assert.ok(!ports.some((p) => p.evidence.some((e) => e.text?.includes('8080'))), 'the literal default is masked in evidence');
    const h = of(s, 'health');
    assert.deepEqual(h.map((x) => [x.path, x.evidence[0]?.file, x.evidence[0]?.line]), [['/healthz', 'cmd/api/main.go', 24]]);
    const ds = of(s, 'datastore');
    assert.deepEqual(ds.map((d) => [d.value, d.required, d.evidence[0]?.file, d.evidence[0]?.line]), [['postgresql', null, 'go.mod', 9]]);
  });

  it('env names: DATABASE_URL required (log.Fatal), PORT defaulted, LOG_LEVEL optional; tests and comments ignored', async () => {
    const s = await fixture('go-gin');
    assert.deepEqual(envMap(s), { PORT: false, DATABASE_URL: true, LOG_LEVEL: false });
    const db = of(s, 'env').find((e) => e.name === 'DATABASE_URL');
    assert.deepEqual([db?.evidence[0]?.file, db?.evidence[0]?.line], ['cmd/api/main.go', 17]);
    const ll = of(s, 'env').find((e) => e.name === 'LOG_LEVEL');
    assert.deepEqual([ll?.evidence[0]?.file, ll?.evidence[0]?.line], ['internal/config/config.go', 11]);
    for (const x of s) assert.ok(x.evidence.length > 0 && x.evidence.every((e) => e.file !== ''), `${x.kind} has evidence`);
  });
});

describe('go detectors: stdlib fixture', () => {
  it('net/http, port 9090, /ping only, .tool-versions runtime, root main package', async () => {
    const s = await fixture('go-stdlib');
    assert.deepEqual(of(s, 'framework').map((f) => [f.value, f.evidence[0]?.line]), [['net/http', 17]]);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.evidence[0]?.file, p.evidence[0]?.line]), [[9090, 'main.go', 17]]);
    assert.deepEqual(of(s, 'health').map((h) => [h.path, h.evidence[0]?.line]), [['/ping', 11]]);
    assert.deepEqual(of(s, 'runtime').map((r) => [r.range, r.evidence[0]?.file]), [['>=1.21', 'go.mod'], ['1.22.1', '.tool-versions']]);
    assert.deepEqual(cmds(s, 'build').map((c) => c.command), ['go build -o bin/pinger .']);
    assert.deepEqual(cmds(s, 'start').map((c) => c.command), ['./bin/pinger']);
    assert.deepEqual(envMap(s), {});
    assert.equal(of(s, 'datastore').length, 0);
  });
});

describe('go detectors: edge cases', () => {
  it('nothing for a directory without go.mod', async () => {
    assert.deepEqual(await mem({ 'main.go': main('http.ListenAndServe(":8080", nil)') }), []);
  });

  it('works in an app dir of a monorepo and skips nested modules, vendor and tests', async () => {
    const s = await mem({
      'svc/go.mod': GOMOD(),
      'svc/main.go': main('\thttp.ListenAndServe(":7000", nil)'),
      'svc/tools/go.mod': GOMOD(),
      'svc/tools/main.go': main('\thttp.ListenAndServe(":7001", nil)'),
      'svc/vendor/x/x.go': 'package x\nfunc f() { http.ListenAndServe(":7002", nil) }\n',
      'svc/x_test.go': 'package main\nfunc g() { http.ListenAndServe(":7003", nil) }\n',
    }, 'svc');
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.evidence[0]?.file]), [[7000, 'svc/main.go']]);
    assert.deepEqual(cmds(s, 'build').map((c) => c.command), ['go build -o bin/svc .']);
  });

  it('prefers cmd/<name>/ over other main packages', async () => {
    const s = await mem({
      'go.mod': GOMOD(),
      'tools/gen/main.go': main('', '"fmt"'),
      'cmd/server/main.go': main('', '"fmt"'),
      'gen.go': `//go:build ignore\n\n${main('\thttp.ListenAndServe(":7777", nil)')}`,
    });
    assert.equal(of(s, 'port').length, 0, 'a go:build ignore file is not part of the build');
    assert.deepEqual(cmds(s, 'build').map((c) => c.command), ['go build -o bin/server ./cmd/server']);
    assert.deepEqual(cmds(s, 'start').map((c) => c.command), ['./bin/server']);
  });

  it('echo Start with literal, fiber Listen, address variable for ListenAndServe, http.Server Addr', async () => {
    const echo = await mem({ 'go.mod': GOMOD('\tgithub.com/labstack/echo/v4 v4.12.0'), 'main.go': main('\te := echo.New()\n\te.GET("/healthz", h)\n\te.Logger.Fatal(e.Start(":1323"))') });
    assert.deepEqual(of(echo, 'framework').map((f) => f.value), ['echo']);
    assert.deepEqual(of(echo, 'port').map((p) => [p.port, p.evidence[0]?.line]), [[1323, 12]]);
    assert.deepEqual(of(echo, 'health').map((h) => h.path), ['/healthz']);
    const fiber = await mem({ 'go.mod': GOMOD('\tgithub.com/gofiber/fiber/v2 v2.52.0'), 'main.go': main('\tapp := fiber.New()\n\tapp.Get("/ping", h)\n\tlog.Fatal(app.Listen(":3000"))') });
    assert.deepEqual(of(fiber, 'framework').map((f) => f.value), ['fiber']);
    assert.deepEqual(of(fiber, 'port').map((p) => p.port), [3000]);
    assert.deepEqual(of(fiber, 'health').map((h) => h.path), ['/ping']);
    const addr = await mem({ 'go.mod': GOMOD(), 'main.go': main('\taddr := ":9090"\n\tlog.Fatal(http.ListenAndServe(addr, nil))') });
    assert.deepEqual(of(addr, 'port').map((p) => [p.port, p.evidence.map((e) => e.line)]), [[9090, [10, 11]]]);
    const srv = await mem({ 'go.mod': GOMOD(), 'main.go': main('\tsrv := &http.Server{Addr: "0.0.0.0:8443", Handler: nil}\n\tlog.Fatal(srv.ListenAndServe())') });
    assert.deepEqual(of(srv, 'port').map((p) => p.port), [8443]);
  });

  it('health routes: chi, gorilla/mux, http.HandleFunc, Go 1.22 method patterns, group prefixes; non-health routes ignored', async () => {
    const s = await mem({
      'go.mod': GOMOD('\tgithub.com/go-chi/chi/v5 v5.0.12\n\tgithub.com/gorilla/mux v1.8.1'),
      'main.go': main([
        '\tr := chi.NewRouter()', '\tr.Get("/status", h)', '\tm := mux.NewRouter()', '\tm.HandleFunc("/ready", h).Methods("GET")',
        '\thttp.HandleFunc("/livez", h)', '\tsm := http.NewServeMux()', '\tsm.HandleFunc("GET /readyz", h)', '\tsm.HandleFunc("/users", h)',
        '\tapi := m.PathPrefix("/api").Subrouter()', '\tapi.HandleFunc("/health", h)', '\t// r.Get("/heartbeat", h)',
      ].join('\n')),
    });
    assert.deepEqual(of(s, 'framework').map((f) => f.value), ['chi', 'gorilla-mux']);
    assert.deepEqual(of(s, 'health').map((h) => h.path), ['/status', '/ready', '/livez', '/readyz', '/api/health']);
  });

  it('env: empty check with default, fatal, os.Exit, direct if-check, cmp.Or, LookupEnv with !ok fatal; values masked', async () => {
    const s = await mem({
      'go.mod': GOMOD(),
      'main.go': main([
        '\tsecret := os.Getenv("JWT_SECRET")', '\tif secret == "" {', '\t\tfmt.Println("missing")', '\t\tos.Exit(1)', '\t}',
        '\tregion := os.Getenv("REGION")', '\tif region == "" {', '\t\tregion = "eu-west-1"', '\t}',
        '\tif os.Getenv("API_TOKEN") == "" {', '\t\tlog.Fatal("API_TOKEN required")', '\t}',
        '\tmode := cmp.Or(os.Getenv("MODE"), "prod")', '\tfmt.Println(os.Getenv("DEBUG"), mode)',
        '\tkey, ok := os.LookupEnv("STRIPE_KEY")', '\tif !ok {', '\t\tpanic("STRIPE_KEY")', '\t}',
        '\tpw := os.Getenv("DB_PASSWORD") + "hunter2"', '\t_ = pw; _ = key',
      ].join('\n'), '"cmp"\n\t"fmt"\n\t"log"\n\t"os"'),
    });
    assert.deepEqual(envMap(s), { JWT_SECRET: true, REGION: false, API_TOKEN: true, MODE: false, DEBUG: null, STRIPE_KEY: true, DB_PASSWORD: null });
    const json = JSON.stringify(s);
    for (const v of ['eu-west-1', 'hunter2', '"prod"']) assert.ok(!json.includes(v), `value ${v} leaked`);
    assert.equal(of(s, 'env').find((e) => e.name === 'DB_PASSWORD')?.evidence[0]?.text, 'pw := os.Getenv("DB_PASSWORD") + "***"');
  });

  it('env: viper AutomaticEnv with prefix and replacer, BindEnv, SetDefault', async () => {
    const s = await mem({
      'go.mod': GOMOD('\tgithub.com/spf13/viper v1.19.0'),
      'config.go': [
        'package main', 'import ("strings"; "github.com/spf13/viper")', 'func load() {',
        '\tviper.SetEnvPrefix("app")', '\tviper.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))', '\tviper.AutomaticEnv()',
        '\tviper.SetDefault("http.port", 8080)', '\t_ = viper.GetString("db.url")', '\t_ = viper.GetInt("http.port")',
        '\tviper.BindEnv("token", "GITHUB_TOKEN")', '}',
      ].join('\n'),
    });
    assert.deepEqual(envMap(s), { GITHUB_TOKEN: null, APP_DB_URL: null, APP_HTTP_PORT: false });
  });

  it('env: caarlos0/env and envconfig struct tags (defaults masked)', async () => {
    const s = await mem({
      'go.mod': GOMOD(),
      'config.go': [
        'package config', 'type Config struct {',
        '\tDatabaseURL string `env:"DATABASE_URL,required"`', '\tPort int `env:"PORT" envDefault:"8080"`', '\tName string `env:"APP_NAME"`',
        '}', 'type Other struct {', '\tQueue string `envconfig:"QUEUE" required:"true"`', '\tLevel string `envconfig:"LEVEL" default:"s3cr3t-default"`', '}',
        'func load() { envconfig.Process("svc", &o) }',
      ].join('\n'),
    });
    assert.deepEqual(envMap(s), { DATABASE_URL: true, PORT: false, APP_NAME: null, SVC_QUEUE: true, SVC_LEVEL: false });
    assert.ok(!JSON.stringify(s).includes('s3cr3t-default'));
    assert.ok(!JSON.stringify(s).includes('8080'));
  });

  it('CGO risk for import "C" and for mattn/go-sqlite3; datastore mapping', async () => {
    const cgo = await mem({ 'go.mod': GOMOD(), 'main.go': 'package main\n\n// #include <stdio.h>\nimport "C"\n\nfunc main() {}\n' });
    const r = of(cgo, 'risk');
    assert.deepEqual(r.map((x) => [x.severity, x.message, x.evidence[0]?.line]), [['warning', 'CGO needed (CGO_ENABLED=1 and a C toolchain)', 4]]);
    const s = await mem({
      'go.mod': GOMOD([
        'github.com/mattn/go-sqlite3 v1.14.22', 'github.com/lib/pq v1.10.9', 'gorm.io/driver/mysql v1.5.7', 'go.mongodb.org/mongo-driver v1.16.0',
        'github.com/redis/go-redis/v9 v9.6.1', 'github.com/rabbitmq/amqp091-go v1.10.0', 'github.com/IBM/sarama v1.43.2', 'modernc.org/sqlite v1.30.0',
      ].map((l) => `\t${l}`).join('\n')),
      'main.go': main('', '"fmt"'),
    });
    assert.deepEqual(of(s, 'datastore').map((d) => d.value), ['sqlite', 'postgresql', 'mysql', 'mongodb', 'redis', 'rabbitmq', 'kafka', 'sqlite']);
    assert.deepEqual(of(s, 'risk').map((x) => [x.message, x.evidence[0]?.file, x.evidence[0]?.line]), [['CGO needed (CGO_ENABLED=1 and a C toolchain)', 'go.mod', 6]]);
  });

  it('chi Route prefixes (nested), flag defaults for ports, env through a wrapper call', async () => {
    const s = await mem({
      'go.mod': GOMOD('\tgithub.com/go-chi/chi/v5 v5.0.12'),
      'main.go': main([
        '\taddr := flag.String("addr", ":8081", "listen address")', '\tflag.Parse()',
        '\tr := chi.NewRouter()', '\tr.Route("/api", func(r chi.Router) {', '\t\tr.Route("/v1", func(r chi.Router) {',
        '\t\t\tr.Get("/health", h)', '\t\t})', '\t\tr.Get("/ready", h)', '\t})', '\tr.Get("/ping", h)',
        '\tname := strings.TrimSpace(os.Getenv("SERVICE_NAME"))', '\tif name == "" {', '\t\tname = "svc"', '\t}',
        '\thttp.ListenAndServe(*addr, r)',
      ].join('\n'), '"flag"\n\t"net/http"\n\t"os"\n\t"strings"'),
    });
    assert.deepEqual(of(s, 'health').map((h) => [h.path, h.evidence[0]?.line]), [['/api/v1/health', 16], ['/api/ready', 18], ['/ping', 20]]);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.confidence, p.evidence[0]?.line]), [[8081, 'medium', 11]]);
    assert.deepEqual(envMap(s), { SERVICE_NAME: false });
  });

  it('a local replace outside the app dir is a risk; one inside is not', async () => {
    const s = await mem({
      'svc/go.mod': 'module x/svc\n\ngo 1.22\n\nreplace x/kit => ../libs/kit\n\nreplace (\n\tx/inner => ./internal/inner\n\tx/other v1.0.0 => ../other\n)\n',
      'svc/main.go': main('', '"fmt"'),
    }, 'svc');
    assert.deepEqual(of(s, 'risk').map((r) => [r.message, r.evidence[0]?.line]), [
      ['go.mod replaces x/kit with ../libs/kit outside the app directory: build from a context that includes it', 5],
      ['go.mod replaces x/other with ../other outside the app directory: build from a context that includes it', 9],
    ]);
  });

  it('env reads: spliced into the listen address (required), if-init with != "" (optional), JoinHostPort host (optional)', async () => {
    const s = await mem({
      'go.mod': GOMOD(),
      'main.go': main([
        '\tversion := "dev"', '\tif v := os.Getenv("APP_VERSION"); v != "" {', '\t\tversion = v', '\t}',
        '\taddr := net.JoinHostPort(os.Getenv("HOST"), "8080")', '\t_ = addr; _ = version',
        '\tlog.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))',
      ].join('\n'), '"net"\n\t"net/http"\n\t"os"\n\t"log"'),
    });
    assert.deepEqual(envMap(s), { APP_VERSION: false, HOST: false, PORT: true });
  });

  it('single-line require and gin Run() default port as a fallback', async () => {
    const s = await mem({ 'go.mod': 'module x\n\ngo 1.23.0\n\nrequire github.com/gin-gonic/gin v1.10.0\n', 'main.go': main('\tr := gin.Default()\n\tr.Run()', '"github.com/gin-gonic/gin"') });
    assert.deepEqual(of(s, 'framework').map((f) => f.value), ['gin']);
    assert.deepEqual(of(s, 'runtime').map((r) => r.range), ['>=1.23.0']);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.source, p.confidence]), [[8080, 'fallback', 'low']]);
  });
});
