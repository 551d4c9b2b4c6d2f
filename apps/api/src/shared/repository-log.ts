import { Logger } from '@nestjs/common';
import type { RepositoryLog } from '#eventstore';

/** A repository's reports (snapshots ignored, its subscription lost and back) in the app's log, as `context`. */
export const repositoryLog = (context: string): RepositoryLog => {
  const logger = new Logger(context);
  return (line, level) => (level === 'info' ? logger.log(line) : logger.warn(line));
};
