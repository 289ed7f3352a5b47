// A signal is a rule match whose risk adds to a story instead of alerting (detector/rules/risk.ts).
// It travels in the alert's shape (alert.v1.ts) on its own topic, `mcp.audit.signals`.
//
// `incident_id` of a signal: the user's incident open at the time, or NO_INCIDENT (stored as '').
export const NO_INCIDENT = '0'.repeat(64);
