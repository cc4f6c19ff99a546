import { AppError } from '../../core/errors';

/** An error named as AWS names it, so callers handle the sandbox's and AWS's alike. */
export class SandboxApiError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** A change AWS would refuse in the tree's present state. */
export class SandboxConflict extends AppError {
  constructor(message: string) {
    super('VALIDATION_FAILED', message);
  }
}
