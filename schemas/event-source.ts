/**
 * The connection-change events' `source` unless a deployment names another (`EVENT_SOURCE`). A
 * module of its own, so that reading the environment builds none of the events' schemas.
 */
export const EVENT_SOURCE = 'aws-org-connections';
