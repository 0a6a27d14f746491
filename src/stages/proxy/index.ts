// The proxy stage's entry points: set up an nginx reverse proxy (optionally with a certbot certificate) and render its report.
export { setupProxy, listenText } from './setup.js';
export { renderProxyMarkdown } from './markdown.js';
export type { ProxyReport, ProxySetupRequest, ProxyTlsRequest, ProxyCommandRecord, SiteResult } from './types.js';
