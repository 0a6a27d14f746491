// deckhand's second public entry point: the zod schemas of every report and their JSON Schemas.
export { FindingSchema, OutcomeSchema, StepResultSchema } from './report/common.js';
export { ReadinessReportSchema, HostFactsSchema, RequirementsSchema } from './report/readiness.js';
export { DeploymentBriefSchema, BriefDataSchema } from './report/brief.js';
export { ExecutionReportSchema, ExecutionDataSchema } from './report/execution.js';
export { ServicesReportSchema, ServicesDataSchema, ServiceRowSchema } from './report/services.js';
export { FleetReportSchema, FleetDataSchema, FleetHostRowSchema } from './report/fleet.js';
export { ConfigSchema } from './config/schema.js';
export { VerificationReportSchema, VerificationDataSchema } from './report/verification.js';
export { LifecycleReportSchema, LifecycleDataSchema } from './report/lifecycle.js';
export { OperationsReportSchema, OperationsDataSchema } from './report/operations.js';
export { ProxyReportSchema, ProxyDataSchema } from './report/proxy.js';
export { reportJsonSchema, REPORT_SCHEMAS } from './report/json-schema.js';
export { IncidentReportSchema, IncidentRecordSchema } from './report/incident.js';
