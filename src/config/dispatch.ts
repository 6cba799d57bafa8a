/**
 * How many servers one dispatch of the cutover workflow can run: the wave-plan job outputs the
 * servers in chunks of GitHub's matrix limit, and the workflow has one server job per chunk. The
 * workflow (src/projen/workflows/cutover.ts), the wave-plan action and `validate` read the numbers from here.
 */

/** GitHub runs at most 256 jobs from one matrix. */
export const MATRIX_LIMIT = 256;

/** Matrix chunks of MATRIX_LIMIT servers that cutover.yml fans out to. */
export const WAVE_MATRIX_CHUNKS = 4;

/** The most servers one wave can have and still be dispatched whole. */
export const MAX_WAVE_SERVERS = WAVE_MATRIX_CHUNKS * MATRIX_LIMIT;
