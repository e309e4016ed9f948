/**
 * The shapes a trust policy's fields may take, apart from the code that
 * checks them: the API schemas (and the packaged client, which must not pull
 * in the RE2 engine) read these too.
 */

/** Longer than any real subject or claim pattern (GitHub's `job_workflow_ref` ones run to ~150). */
export const MAX_PATTERN_LENGTH = 512

/** A top-level claim name, as policies' `claims` may name it. */
export const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.:/-]{0,127}$/
