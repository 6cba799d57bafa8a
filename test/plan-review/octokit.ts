import type { getOctokit as GetOctokit } from '@actions/github';
import { requireBundled } from '../support/bundled';

/** `getOctokit` of @actions/github (ESM-only), loaded the way the action bundle loads it. */
export function loadGetOctokit(): typeof GetOctokit {
  return requireBundled<{ getOctokit: typeof GetOctokit }>("export { getOctokit } from '@actions/github';", 'octokit').getOctokit;
}
