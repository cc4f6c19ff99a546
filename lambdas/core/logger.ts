import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of every function. The service name and level come from
 * POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL, which the function construct sets.
 */
export const logger = new Logger({ serviceName: 'aws-org-connections' });
