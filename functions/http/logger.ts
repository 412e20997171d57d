import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs (Powertools). Rule: no patient names, e-mails, answers, dates of birth or
 * link tokens — log ids, route ids, outcomes and error class names only.
 *
 * Powertools reads its own settings from the environment: POWERTOOLS_SERVICE_NAME (set on every function
 * by infra/function-env.ts) and the level from POWERTOOLS_LOG_LEVEL or LOG_LEVEL (default INFO).
 */
export const logger = new Logger();
